/**
 * What a deployment does on the simulated server, and the states a client sees, computed
 * the way the real Components API's background task produces them (components/
 * deploy_task.py upstream): `pending` for tens of milliseconds; `running` while builds
 * start one by one (the builds map briefly lists only those started); then a check of
 * every unfinished build each `tickMs` (2 s upstream), so that a build shows `pending`,
 * `unknown` while it waits in the build queue, `running`, then its final state, each
 * only from the tick after the build service changed; a last pause of one tick; then the
 * runs, one component after the other. A deployment's states are computed at creation
 * from its plan (and again when a maintainer cancels it), so the simulator can run on a
 * real or a virtual clock and gives the same answers for the same times.
 */

import { seededRandom } from './random.js'

export type BuildPlan =
  /**
   * Built from source: waits `queueMs` for a slot (`unknown`), builds for `buildMs`. It `fails` (the tool's build),
   * or is `lost`: the build service no longer knows it when asked once it is built (Toolforge's own failure).
   */
  | { kind: 'source'; queueMs: number; buildMs: number; fails?: boolean; lost?: boolean }
  /** This commit was built before: `skipped`, reusing that build's id and image. */
  | { kind: 'reused' }
  /** The component takes another component's image (`reuse_from`). */
  | { kind: 'reuse-from'; from: string }

export interface RunPlan {
  /** The jobs service refuses the job with this reason (HTTP 400). */
  fails?: string
  /** The jobs service answers 500: Toolforge's own failure. */
  serverError?: boolean
  /** What the jobs service already has of the job (default: nothing, it is created). */
  job?: 'created' | 'updated' | 'unchanged'
  /** How long the jobs service takes to answer. */
  ms?: number
}

export interface ComponentPlan {
  name: string
  type?: 'continuous' | 'scheduled'
  build: BuildPlan
  run?: RunPlan
  /** The component serves the tool's web address, with this health check path if any. */
  publish?: { healthCheck?: string }
}

export interface Timeline {
  components: ComponentPlan[]
  /** How long the deployment stays `pending` before the task starts. */
  pendingMs?: number
  /** Starting one build from source (checking for a reusable build, asking the build service). */
  startBuildMs?: number
  /** The task's pause between two checks of the builds. */
  tickMs?: number
  /**
   * Production's pace: every call to the build or jobs service (starting a build, each
   * check of a build in a pass, each run) takes this much longer, varied uniformly by up
   * to `jitterMs` either way, from a seeded draw (the same seed, the same timeline). The
   * stand-in services' `latency_ms` and `latency_jitter_ms` knobs, on the simulator.
   */
  serviceLatency?: { ms: number; jitterMs?: number; seed?: number }
  /** Toolforge's own time limit, as production applies it: `timed_out` on the next read. */
  timesOutAtMs?: number
  /** A maintainer cancels here (as `PUT .../cancel` does at any time). */
  cancelAtMs?: number
  /** A status this client version does not know, reported during [fromMs, toMs). */
  unknownStatus?: { status: string; fromMs: number; toMs: number }
  /** Texts meant to break reports: in long statuses and messages. */
  hostile?: boolean
}

export interface BuildView {
  build_id: string
  build_status: string
  build_image?: string
  build_long_status?: string
}

export interface RunView {
  run_status: string
  run_long_status?: string
}

/** The parts of a deployment that change, exactly as the server would send them. */
export interface DeploymentState {
  status?: string
  long_status?: string
  builds: Record<string, BuildView>
  runs: Record<string, RunView>
}

export interface Snapshot extends DeploymentState {
  at: number
}

/** A long status built to break naive reporting: newlines, workflow commands, HTML, `%`. */
export const HOSTILE_TEXT =
  'line one\n::error title=injected::workflow command injection\n::set-output name=status::successful\n%0A%25 <script>alert(1)</script> | cell | `code` **bold** [link](https://example.invalid) ##[error]legacy'

export const DEFAULT_TICK_MS = 2_000
const DEFAULT_PENDING_MS = 20
const DEFAULT_START_BUILD_MS = 80
/** Finding that an earlier build of the commit can be reused takes the same questions as starting one. */
const REUSED_BUILD_MS = 50
/** Asking the build service about one build; the map changes build by build during a pass. Two builds make a 2.008 s tick, as the recorded traces show. */
const CHECK_MS = 4
const DEFAULT_RUN_MS = 30
/** Where the jobs service is, as it appears in the runtime's error texts. */
const JOBS_SERVICE = 'https://api.svc.tools.eqiad1.wikimedia.cloud'

export const SCENARIO_NAMES = [
  'success',
  'single',
  'build-failure',
  'run-failure',
  'timed-out',
  'cancelled',
  'slow-builds',
  'build-queue',
  'reused-builds',
  'unknown-status',
  'hostile',
  'many-failures',
  'queued'
] as const

export type ScenarioName = (typeof SCENARIO_NAMES)[number]

const source = (queueMs: number, buildMs: number, fails = false): BuildPlan => ({
  kind: 'source',
  queueMs,
  buildMs,
  fails
})
const web = (build: BuildPlan, extra: Partial<ComponentPlan> = {}): ComponentPlan => ({
  name: 'web',
  build,
  publish: { healthCheck: '/healthz' },
  ...extra
})
const worker = (build: BuildPlan, extra: Partial<ComponentPlan> = {}): ComponentPlan => ({
  name: 'worker',
  build,
  ...extra
})
const cron = (extra: Partial<ComponentPlan> = {}): ComponentPlan => ({
  name: 'cron',
  type: 'scheduled',
  build: { kind: 'reuse-from', from: 'web' },
  ...extra
})

/** The usual tool: a web service and a worker built from source, a cron job reusing the web image. */
export function webWorkerCron(queueMs: number, webBuildMs: number, workerBuildMs: number): Timeline {
  return { components: [web(source(queueMs, webBuildMs)), worker(source(queueMs, workerBuildMs)), cron()] }
}

/** A web service that builds, beside a worker whose build fails. */
export function workerBuildFails(queueMs: number, webBuildMs: number, workerBuildMs: number): Timeline {
  return { components: [web(source(queueMs, webBuildMs)), worker(source(queueMs, workerBuildMs, true))] }
}

/** Named scenarios, with the real server's pace, for tests, the demo and by hand. */
export function scenario(name: ScenarioName): Timeline {
  switch (name) {
    case 'success':
      return webWorkerCron(1_000, 3_000, 3_000)
    case 'single':
      return { components: [web(source(1_000, 1_500))] }
    case 'queued':
      // As on the next Components API, behind another deployment of the tool for 20 s.
      return { components: [web(source(1_000, 1_500))], pendingMs: 20_000 }
    case 'build-failure':
      return workerBuildFails(1_000, 3_000, 2_000)
    case 'run-failure':
      return {
        components: [
          web(source(1_000, 2_000)),
          cron({ run: { fails: "Unable to parse cron expression 'every day at noon'" } }),
          worker(source(1_000, 2_000))
        ]
      }
    case 'timed-out':
      return { components: [web(source(1_000, 60_000)), worker(source(1_000, 2_000))], timesOutAtMs: 3_000 }
    case 'cancelled':
      return { components: [web(source(1_000, 60_000)), worker(source(30_000, 60_000))], cancelAtMs: 2_500 }
    case 'slow-builds':
      return { components: [web(source(1_000, 14_000)), worker(source(1_000, 16_000))] }
    case 'build-queue':
      return { components: [web(source(90_000, 20_000)), worker(source(90_000, 20_000))] }
    case 'reused-builds':
      return {
        components: [
          web({ kind: 'reused' }, { run: { job: 'unchanged' } }),
          worker({ kind: 'reused' }, { run: { job: 'unchanged' } }),
          cron({ run: { job: 'unchanged' } })
        ]
      }
    case 'unknown-status':
      return {
        components: [web(source(1_000, 8_000))],
        unknownStatus: { status: 'paused-for-maintenance', fromMs: 1_000, toMs: 9_000 }
      }
    case 'hostile':
      return {
        components: [
          web(source(300, 1_000, true)),
          worker(source(300, 1_000)),
          { name: '<img src=x onerror=alert(1)>|::warning::x\n::error::y', build: source(300, 1_000, true) }
        ],
        hostile: true
      }
    case 'many-failures':
      return {
        components: Array.from({ length: 14 }, (_, i) => ({
          name: `job-${String(i + 1).padStart(2, '0')}`,
          build: source(300, 1_000 + i * 20, true)
        }))
      }
  }
}

function scaleBuild(build: BuildPlan, s: (ms: number) => number): BuildPlan {
  return build.kind === 'source' ? { ...build, queueMs: s(build.queueMs), buildMs: s(build.buildMs) } : build
}

/** Stretches (>1) or shrinks (<1) every time of a timeline, the server's pace included. */
export function scaleTimeline(timeline: Timeline, factor: number): Timeline {
  if (factor === 1) return timeline
  const s = (ms: number) => Math.round(ms * factor)
  const maybe = (ms: number | undefined) => (ms === undefined ? undefined : s(ms))
  return {
    ...timeline,
    pendingMs: s(timeline.pendingMs ?? DEFAULT_PENDING_MS),
    startBuildMs: s(timeline.startBuildMs ?? DEFAULT_START_BUILD_MS),
    tickMs: s(timeline.tickMs ?? DEFAULT_TICK_MS),
    serviceLatency: timeline.serviceLatency && {
      ...timeline.serviceLatency,
      ms: s(timeline.serviceLatency.ms),
      jitterMs: maybe(timeline.serviceLatency.jitterMs)
    },
    timesOutAtMs: maybe(timeline.timesOutAtMs),
    cancelAtMs: maybe(timeline.cancelAtMs),
    unknownStatus: timeline.unknownStatus && {
      ...timeline.unknownStatus,
      fromMs: s(timeline.unknownStatus.fromMs),
      toMs: s(timeline.unknownStatus.toMs)
    },
    components: timeline.components.map((c) => ({
      ...c,
      build: scaleBuild(c.build, s),
      run: c.run && { ...c.run, ms: maybe(c.run.ms) }
    }))
  }
}

export interface StateContext {
  tool: string
  /** One build id per component built from source, fixed at creation. */
  buildIds: Record<string, string>
  /** The ids and images of the earlier builds that `reused` components take. */
  reusedBuilds: Record<string, { id: string; image: string }>
  /** One image digest per component built from source. */
  digests: Record<string, string>
  creationTime: Date
  forceRun: boolean
}

/** Python's `str(datetime.now(tz=UTC))`, as the server writes it into long statuses. */
export function pythonTime(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace(/Z$/, '')}000+00:00`
}

function clone<T>(value: T): T {
  return structuredClone(value)
}

const logsHint = (id: string) => `You can see the logs with \`toolforge build logs ${id}\``

/**
 * Every state the deployment will be in, with the moment it starts, as the real task
 * would store them. `cancelAt` is when a maintainer asked to cancel, if one did.
 */
export function trajectory(timeline: Timeline, context: StateContext, cancelAt = timeline.cancelAtMs): Snapshot[] {
  const tickMs = timeline.tickMs ?? DEFAULT_TICK_MS
  const draw = seededRandom(timeline.serviceLatency?.seed ?? 1)
  const { ms: latencyMs = 0, jitterMs = 0 } = timeline.serviceLatency ?? {}
  /** One call to the build or jobs service, which takes `ms` on the local server. */
  const call = (ms: number) => ms + Math.max(0, latencyMs + (draw() * 2 - 1) * jitterMs)
  const at = (ms: number) => pythonTime(new Date(context.creationTime.getTime() + ms))
  const hostile = (text: string) => (timeline.hostile ? `${text}\n${HOSTILE_TEXT}\n${'x'.repeat(1_100_000)}` : text)
  const names = timeline.components.map((c) => c.name)
  const state: DeploymentState = {
    builds: Object.fromEntries(names.map((name) => [name, { build_id: 'no-id-yet', build_status: 'pending' }])),
    runs: Object.fromEntries(names.map((name) => [name, { run_status: 'pending' }]))
  }
  const snapshots: Snapshot[] = [{ at: 0, ...clone(state) }]
  const store = (t: number) => snapshots.push({ at: t, ...clone(state) })
  const cancelled = (t: number) => cancelAt !== undefined && t >= cancelAt

  class Cancelled extends Error {}
  /** `_update_deployment`: a cancellation asked for meanwhile wins over the update. */
  const update = (t: number) => {
    if (cancelled(t)) throw new Cancelled()
    store(t)
  }

  let t = timeline.pendingMs ?? DEFAULT_PENDING_MS
  const skipRemaining = (text: string) => {
    for (const run of Object.values(state.runs))
      if (run.run_status === 'pending') Object.assign(run, { run_status: 'skipped', run_long_status: text })
  }
  try {
    state.status = 'running'
    state.long_status = `Started at ${at(t)}`
    store(t)
    if (cancelled(t)) throw new Cancelled()

    // _start_builds: the map is replaced by the builds started so far.
    const builds: Record<string, BuildView> = {}
    const started: Record<string, number> = {}
    for (const c of timeline.components) {
      if (c.build.kind === 'source') {
        // Two calls to the build service: the search for a reusable build, then the new build.
        const startMs = timeline.startBuildMs ?? DEFAULT_START_BUILD_MS
        t += call(startMs / 2) + call(startMs / 2)
        started[c.name] = t
        builds[c.name] = {
          build_id: context.buildIds[c.name]!,
          build_status: 'pending',
          build_long_status: 'Not started yet'
        }
      } else {
        if (c.build.kind === 'reused') t += call(REUSED_BUILD_MS)
        builds[c.name] =
          c.build.kind === 'reused'
            ? {
                build_id: context.reusedBuilds[c.name]!.id,
                build_status: 'skipped',
                build_image: context.reusedBuilds[c.name]!.image,
                build_long_status: 'Reusing existing build'
              }
            : {
                build_id: 'no-build-needed',
                build_status: 'skipped',
                build_long_status: `Component re-uses build from ${c.build.from}`
              }
      }
      state.builds = clone(builds)
      update(t)
    }

    // _wait_for_builds: one pass over the unfinished builds, then a pause.
    const unfinished = timeline.components.filter((c) => c.build.kind === 'source')
    while (unfinished.length > 0) {
      for (const c of [...unfinished]) {
        t += call(CHECK_MS)
        const plan = c.build as Extract<BuildPlan, { kind: 'source' }>
        const elapsed = t - started[c.name]!
        const id = context.buildIds[c.name]!
        const image = `tools-harbor.wmcloud.org/tool-${context.tool}/${c.name}:latest`
        const next: BuildView =
          elapsed < plan.queueMs
            ? { build_id: id, build_status: 'unknown', build_image: image, build_long_status: logsHint(id) }
            : elapsed < plan.queueMs + plan.buildMs
              ? { build_id: id, build_status: 'running', build_image: image, build_long_status: logsHint(id) }
              : plan.lost
                ? {
                    build_id: id,
                    build_status: 'failed',
                    build_long_status: `build ${id} not found, maybe it was deleted?`
                  }
                : plan.fails
                  ? {
                      build_id: id,
                      build_status: 'failed',
                      build_image: image,
                      build_long_status: hostile(logsHint(id))
                    }
                  : {
                      build_id: id,
                      build_status: 'successful',
                      build_image: `${image}@sha256:${context.digests[c.name]}`,
                      build_long_status: logsHint(id)
                    }
        const changed = state.builds[c.name]!.build_status !== next.build_status
        state.builds[c.name] = next
        if (changed) update(t)
        if (next.build_status === 'successful' || next.build_status === 'failed')
          unfinished.splice(unfinished.indexOf(c), 1)
      }
      if (cancelled(t)) throw new Cancelled()
      t += tickMs
    }
    const failedBuilds = timeline.components.filter((c) => state.builds[c.name]!.build_status === 'failed')
    if (failedBuilds.length > 0) {
      state.status = 'failed'
      state.long_status = hostile(
        `Got exception: Some builds failed, you can check the build logs for more info: ${failedBuilds.map((c) => `${c.name}(id:${context.buildIds[c.name]})`).join(' ')}`
      )
      skipRemaining('Skipped due to previous failure')
      store(t)
      return finish(snapshots, timeline)
    }
    if (cancelled(t)) throw new Cancelled()

    // _do_run: one component after the other.
    for (const c of timeline.components) {
      state.runs[c.name] = { run_status: 'pending' }
      update(t)
      t += call(c.run?.ms ?? DEFAULT_RUN_MS)
      if (c.run?.fails || c.run?.serverError) {
        const url = `${JOBS_SERVICE}/jobs/v1/tool/${context.tool}/jobs/`
        // requests' words for an HTTPError, then the jobs service's own error list, as the task writes them.
        const message = c.run.serverError
          ? `500 Server Error: INTERNAL SERVER ERROR for url: ${url} (500): Internal server error`
          : `400 Client Error: Bad Request for url: ${url} (400): ${c.run.fails}`
        state.runs[c.name] = { run_status: 'failed', run_long_status: hostile(message) }
        update(t)
        state.status = 'failed'
        state.long_status = hostile(`Got exception: Failed run for component ${c.name}: ${message}`)
        skipRemaining('Skipped due to previous failure')
        store(t)
        return finish(snapshots, timeline)
      }
      state.runs[c.name] = { run_status: 'successful', run_long_status: runText(c, state.builds, context) }
      update(t)
    }
    state.status = 'successful'
    state.long_status = `Finished at ${at(t)}`
    update(t)
  } catch (error) {
    if (!(error instanceof Cancelled)) throw error
    state.status = 'cancelled'
    state.long_status = 'Deployment was cancelled'
    for (const build of Object.values(state.builds)) {
      if (build.build_status === 'pending' || build.build_status === 'running') build.build_status = 'cancelled'
    }
    skipRemaining('The deployment was cancelled')
    store(t)
  }
  return finish(snapshots, timeline)
}

/** What the jobs service answered, as the runtime words it. */
function runText(c: ComponentPlan, builds: Record<string, BuildView>, context: StateContext): string {
  const from = c.build.kind === 'reuse-from' ? c.build.from : c.name
  const rebuilt = builds[from]?.build_status === 'successful'
  // A new image changes the job's definition.
  const job = c.run?.job === 'unchanged' && rebuilt ? 'updated' : (c.run?.job ?? 'created')
  if (job === 'created') return `created or updated job ${c.name}, [info](Job ${c.name} created in storage and runtime)`
  if (job === 'updated')
    return `created or updated job ${c.name}, [info](Job ${c.name} was updated in storage and runtime)`
  if (context.forceRun && c.type !== 'scheduled')
    return `restarted job ${c.name}, [info](Job ${c.name} is already up to date)`
  return `job ${c.name} is already up to date, [info](Job ${c.name} is already up to date)`
}

/** Production's lazy time limit: from then on, reads say `timed_out`, the rest unchanged. */
function finish(snapshots: Snapshot[], timeline: Timeline): Snapshot[] {
  const limit = timeline.timesOutAtMs
  if (limit === undefined || snapshots.at(-1)!.at <= limit) return snapshots
  const before = snapshots.filter((s) => s.at <= limit)
  return [...before, { ...clone(before.at(-1)!), at: limit, status: 'timed_out' }]
}

/** The state in force at `t`. */
export function stateAt(snapshots: Snapshot[], t: number): DeploymentState {
  let current = snapshots[0]!
  for (const snapshot of snapshots) if (snapshot.at <= t) current = snapshot
  const { at: _at, ...state } = current
  return state
}

/** When the deployment's status becomes final, if nothing interrupts it. */
export function finalAtMs(snapshots: Snapshot[]): number {
  const final = snapshots.find(
    (s) => s.status !== undefined && ['successful', 'failed', 'timed_out', 'cancelled'].includes(s.status)
  )
  return final?.at ?? Infinity
}
