/**
 * Deployment timelines, and the state a deployment following one is in at any moment.
 * The state is computed from the elapsed time alone, so the simulator can run on a real
 * or a virtual clock and gives the same answers for the same times.
 */

export interface ComponentPlan {
  name: string
  /** When its build starts and ends, in ms after creation. */
  buildStartMs: number
  buildEndMs: number
  buildFails?: boolean
  /** How long its run takes once the runs phase reaches it. */
  runMs: number
  runFails?: boolean
}

export interface Timeline {
  /** Time spent as `pending` before the server's task starts. */
  pendingMs: number
  components: ComponentPlan[]
  /** Time between the last run (or a failed build) and the final status. */
  finalizeMs: number
  /** Toolforge's own one-hour limit, scaled: the deployment ends `timed_out` here. */
  timesOutAtMs?: number
  /** A maintainer cancels here: `cancelling` for `cancellingMs`, then `cancelled`. */
  cancelAtMs?: number
  cancellingMs?: number
  /** A status this API version does not define, reported during [fromMs, toMs). */
  unknownStatus?: { status: string; fromMs: number; toMs: number }
  /** Texts meant to break reports: used for long statuses and messages. */
  hostile?: boolean
}

export interface BuildState {
  build_id: string
  build_status: string
  build_image: string
  build_long_status: string
}

export interface RunState {
  run_status: string
  run_long_status: string
}

export interface DeploymentState {
  status: string
  long_status: string
  builds: Record<string, BuildState>
  runs: Record<string, RunState>
  /** The moment this deployment stops counting against the one-at-a-time limit. */
  final: boolean
}

/** A long status built to break naive reporting: newlines, workflow commands, HTML, `%`. */
export const HOSTILE_TEXT =
  'line one\n::error title=injected::workflow command injection\n::set-output name=status::successful\n%0A%25 <script>alert(1)</script> | cell | `code` **bold** [link](https://example.invalid) ##[error]legacy'

export const SCENARIO_NAMES = [
  'success',
  'build-failure',
  'run-failure',
  'timed-out',
  'cancelled',
  'slow-builds',
  'unknown-status',
  'hostile',
  'many-failures',
  'single'
] as const

export type ScenarioName = (typeof SCENARIO_NAMES)[number]

const web = (buildEndMs: number, extra: Partial<ComponentPlan> = {}): ComponentPlan => ({
  name: 'web',
  buildStartMs: 300,
  buildEndMs,
  runMs: 400,
  ...extra
})
const worker = (buildEndMs: number, extra: Partial<ComponentPlan> = {}): ComponentPlan => ({
  name: 'worker',
  buildStartMs: 300,
  buildEndMs,
  runMs: 400,
  ...extra
})

/** Short timelines (seconds), for tests and the demo; `scaleTimeline` stretches them. */
export function scenario(name: ScenarioName): Timeline {
  const base = { pendingMs: 200, finalizeMs: 200 }
  switch (name) {
    case 'success':
      return { ...base, components: [web(1_800), worker(2_200)] }
    case 'single':
      return { ...base, components: [web(1_200)] }
    case 'build-failure':
      return { ...base, components: [web(1_500, { buildFails: true }), worker(2_000)] }
    case 'run-failure':
      return { ...base, components: [web(1_500), worker(1_800, { runFails: true })] }
    case 'timed-out':
      return { ...base, components: [web(60_000), worker(1_500)], timesOutAtMs: 2_500 }
    case 'cancelled':
      return { ...base, components: [web(60_000), worker(60_000)], cancelAtMs: 1_800, cancellingMs: 600 }
    case 'slow-builds':
      return { ...base, components: [web(8_000), worker(9_000)] }
    case 'unknown-status':
      return { ...base, components: [web(2_000)], unknownStatus: { status: 'paused-for-maintenance', fromMs: 600, toMs: 1_600 } }
    case 'hostile':
      return {
        ...base,
        components: [
          web(1_200, { buildFails: true }),
          worker(1_200),
          { name: '<img src=x onerror=alert(1)>|::warning::x\n::error::y', buildStartMs: 300, buildEndMs: 1_100, buildFails: true, runMs: 100 }
        ],
        hostile: true
      }
    case 'many-failures':
      return {
        ...base,
        components: Array.from({ length: 14 }, (_, i) => ({
          name: `job-${String(i + 1).padStart(2, '0')}`,
          buildStartMs: 300,
          buildEndMs: 1_000 + i * 20,
          buildFails: true,
          runMs: 100
        }))
      }
  }
}

export function scaleTimeline(timeline: Timeline, factor: number): Timeline {
  const s = (ms: number) => Math.round(ms * factor)
  return {
    ...timeline,
    pendingMs: s(timeline.pendingMs),
    finalizeMs: s(timeline.finalizeMs),
    timesOutAtMs: timeline.timesOutAtMs === undefined ? undefined : s(timeline.timesOutAtMs),
    cancelAtMs: timeline.cancelAtMs === undefined ? undefined : s(timeline.cancelAtMs),
    cancellingMs: timeline.cancellingMs === undefined ? undefined : s(timeline.cancellingMs),
    unknownStatus: timeline.unknownStatus && {
      ...timeline.unknownStatus,
      fromMs: s(timeline.unknownStatus.fromMs),
      toMs: s(timeline.unknownStatus.toMs)
    },
    components: timeline.components.map((c) => ({
      ...c,
      buildStartMs: s(c.buildStartMs),
      buildEndMs: s(c.buildEndMs),
      runMs: s(c.runMs)
    }))
  }
}

/** When the deployment reaches its final status if nothing interrupts it. */
export function naturalEndMs(timeline: Timeline): number {
  const buildsDone = Math.max(timeline.pendingMs, ...timeline.components.map((c) => c.buildEndMs))
  if (timeline.components.some((c) => c.buildFails)) return buildsDone + timeline.finalizeMs
  let t = buildsDone
  for (const c of timeline.components) {
    t += c.runMs
    if (c.runFails) break
  }
  return t + timeline.finalizeMs
}

/** The moment the deployment's status becomes final, whatever ends it. */
export function finalAtMs(timeline: Timeline): number {
  const ends = [naturalEndMs(timeline)]
  if (timeline.timesOutAtMs !== undefined) ends.push(timeline.timesOutAtMs)
  if (timeline.cancelAtMs !== undefined) ends.push(timeline.cancelAtMs + (timeline.cancellingMs ?? 0))
  return Math.min(...ends)
}

export interface StateContext {
  tool: string
  /** One build id per component, fixed at creation. */
  buildIds: Record<string, string>
  creationTime: Date
}

function stamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')
}

export function stateAt(timeline: Timeline, t: number, context: StateContext): DeploymentState {
  const at = (ms: number) => stamp(new Date(context.creationTime.getTime() + ms))
  const text = (plain: string) => (timeline.hostile ? `${plain}\n${HOSTILE_TEXT}\n${'x'.repeat(1_100_000)}` : plain)
  const builds: Record<string, BuildState> = {}
  const runs: Record<string, RunState> = {}
  const interruptAt = Math.min(timeline.timesOutAtMs ?? Infinity, timeline.cancelAtMs ?? Infinity)
  const interrupted = t >= interruptAt
  const started = t >= timeline.pendingMs
  const buildsDone = Math.max(timeline.pendingMs, ...timeline.components.map((c) => c.buildEndMs))
  const buildFailed = timeline.components.some((c) => c.buildFails)

  for (const c of timeline.components) {
    const id = context.buildIds[c.name]!
    const image = `tools-harbor.wmcloud.org/tool-${context.tool}/${c.name}:latest`
    const clock = interrupted ? interruptAt : t
    if (!started || clock < c.buildStartMs) {
      builds[c.name] = {
        build_id: 'no-id-yet',
        build_status: interrupted ? 'cancelled' : 'pending',
        build_image: 'no-image-yet',
        build_long_status: ''
      }
    } else if (clock < c.buildEndMs) {
      builds[c.name] = {
        build_id: id,
        build_status: interrupted ? 'cancelled' : 'running',
        build_image: 'no-image-yet',
        build_long_status: interrupted ? 'Build cancelled' : `Build started at ${at(c.buildStartMs)}`
      }
    } else if (c.buildFails) {
      builds[c.name] = {
        build_id: id,
        build_status: 'failed',
        build_image: 'no-image-yet',
        build_long_status: text(`Build failed: step-build exited with code 1, see \`toolforge build logs ${id}\``)
      }
    } else {
      builds[c.name] = {
        build_id: id,
        build_status: 'successful',
        build_image: image,
        build_long_status: `Build finished at ${at(c.buildEndMs)}`
      }
    }
  }

  let runClock = buildsDone
  let runFailedAt: number | undefined
  for (const c of timeline.components) {
    const end = runClock + c.runMs
    const clock = interrupted ? interruptAt : t
    if (buildFailed && t >= buildsDone) {
      runs[c.name] = { run_status: 'skipped', run_long_status: 'Skipped due to previous failure' }
    } else if (runFailedAt !== undefined || (interrupted && clock < end)) {
      runs[c.name] = { run_status: 'skipped', run_long_status: 'Skipped due to previous failure' }
    } else if (clock < end) {
      runs[c.name] = { run_status: 'pending', run_long_status: '' }
    } else if (c.runFails) {
      runs[c.name] = { run_status: 'failed', run_long_status: text(`Job ${c.name} failed to start: CrashLoopBackOff`) }
      runFailedAt = end
    } else {
      runs[c.name] = { run_status: 'successful', run_long_status: `Run finished at ${at(end)}` }
    }
    runClock = end
  }

  const finalAt = finalAtMs(timeline)
  let status: string
  let longStatus: string
  if (!started) {
    status = 'pending'
    longStatus = ''
  } else if (t >= finalAt) {
    if (timeline.timesOutAtMs !== undefined && finalAt === timeline.timesOutAtMs) {
      status = 'timed_out'
      longStatus = text(`Timed out at ${at(finalAt)}: the deployment took longer than allowed`)
    } else if (timeline.cancelAtMs !== undefined && finalAt === timeline.cancelAtMs + (timeline.cancellingMs ?? 0)) {
      status = 'cancelled'
      longStatus = `Cancelled at ${at(finalAt)}`
    } else if (buildFailed) {
      const failedIds = timeline.components
        .filter((c) => c.buildFails)
        .map((c) => `${c.name}(id:${context.buildIds[c.name]})`)
        .join(', ')
      status = 'failed'
      longStatus = text(`Got exception: Some builds failed, you can check the build logs for more info: ${failedIds}`)
    } else if (timeline.components.some((c) => c.runFails)) {
      const failed = timeline.components.find((c) => c.runFails)!
      status = 'failed'
      longStatus = text(`Got exception: Failed to run component ${failed.name}`)
    } else {
      status = 'successful'
      longStatus = `Finished at ${at(finalAt)}`
    }
  } else if (timeline.cancelAtMs !== undefined && t >= timeline.cancelAtMs) {
    status = 'cancelling'
    longStatus = `Cancelling since ${at(timeline.cancelAtMs)}`
  } else if (timeline.unknownStatus && t >= timeline.unknownStatus.fromMs && t < timeline.unknownStatus.toMs) {
    status = timeline.unknownStatus.status
    longStatus = `Started at ${at(timeline.pendingMs)}`
  } else {
    status = 'running'
    longStatus = `Started at ${at(timeline.pendingMs)}`
  }
  return { status, long_status: longStatus, builds, runs, final: t >= finalAt }
}
