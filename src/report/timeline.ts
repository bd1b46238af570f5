import { isBuilt } from '../engine/status.js'
import { NO_ID_YET, type Deployment } from '../engine/toolforge-types.js'

/**
 * Where the time went, as the action saw it: each component's wait for a build slot, its
 * build and its run, each from the first check that showed it to the first check that
 * showed it over. The spans are as exact as the checks were frequent (`precisionMs`).
 */
export interface Span {
  startMs: number
  endMs: number
}

export interface ComponentTimes {
  /** Started, and waiting for a build slot (`pending`, then `unknown`). */
  waiting?: Span
  build?: Span
  run?: Span
  /** Which of them ended `failed`. */
  failed?: 'build' | 'run'
}

export interface TimelineModel {
  /** When the run started (epoch milliseconds); every span counts from here. */
  startedAt: number
  /** Queued behind another deployment of the tool, before this one was created. */
  queued?: Span
  /** From the first to the last observation. */
  observed: Span
  /** Checking that the tool serves, after the deployment. */
  check?: { span: Span; result: 'passed' | 'failed' | 'interrupted' }
  components: Record<string, ComponentTimes>
  /** The longest time between two observations: how exact the spans are. */
  precisionMs: number
}

const BUILD_OVER = ['running', 'successful', 'failed', 'cancelled']
const BUILD_ENDS = ['successful', 'failed', 'cancelled']
const RUN_ENDS = ['successful', 'failed']

/** Records observations; times are milliseconds after the recorder's start. */
export class TimelineRecorder {
  /** When each component was first seen in each state ("build:running", "run:successful"). */
  private readonly firstSeen = new Map<string, Map<string, number>>()
  /** ...and last seen waiting for a build slot. */
  private readonly lastWaiting = new Map<string, number>()
  private queued: Span | undefined
  private first: number | undefined
  private last: number | undefined
  private runsFrom: number | undefined
  private precision = 0

  constructor(private readonly startedAt: number) {}

  /** The deployment was created after waiting behind another one until `now`. */
  queuedUntil(now: number): void {
    this.queued = { startMs: 0, endMs: now - this.startedAt }
  }

  observe(deployment: Deployment, now: number): void {
    const t = now - this.startedAt
    if (this.last !== undefined) this.precision = Math.max(this.precision, t - this.last)
    this.first ??= t
    this.last = t
    const names = [...new Set([...Object.keys(deployment.builds), ...Object.keys(deployment.runs)])]
    for (const name of names) {
      const seen = this.firstSeen.get(name) ?? new Map<string, number>()
      this.firstSeen.set(name, seen)
      const build = deployment.builds[name]
      // `pending` with no id yet is the initial state, before the build was asked for.
      if (build && build.build_id !== NO_ID_YET) {
        if (!seen.has(`build:${build.build_status}`)) seen.set(`build:${build.build_status}`, t)
        if (build.build_status === 'pending' || build.build_status === 'unknown') this.lastWaiting.set(name, t)
      }
      const run = deployment.runs[name]?.run_status
      if (run && !seen.has(`run:${run}`)) seen.set(`run:${run}`, t)
    }
    // Runs start once every build is over; a component not in the builds map is not.
    const builds = names.map((name) => deployment.builds[name]?.build_status)
    if (this.runsFrom === undefined && builds.every((b) => b !== undefined && isBuilt(b))) this.runsFrom = t
  }

  model(): TimelineModel {
    const components: Record<string, ComponentTimes> = {}
    for (const [name, seen] of [...this.firstSeen].sort(([a], [b]) => a.localeCompare(b))) {
      const earliest = (states: string[]) => Math.min(...states.map((state) => seen.get(state) ?? Infinity))
      const times: ComponentTimes = {}
      const waitStart = earliest(['build:pending', 'build:unknown'])
      const buildOver = earliest(BUILD_OVER.map((state) => `build:${state}`))
      const buildEnd = earliest(BUILD_ENDS.map((state) => `build:${state}`))
      // Seen running first at the last check, still unfinished (the deployment ended): it
      // started after the last check that saw it waiting, and is drawn as a build from there.
      const runningAtEnd =
        seen.get('build:running') === this.last && !Number.isFinite(buildEnd) && this.lastWaiting.has(name)
      const running = runningAtEnd ? this.lastWaiting.get(name) : seen.get('build:running')
      // A build seen waiting, then over, ran somewhere between: the span is its upper bound.
      const waitEnd = running ?? (Number.isFinite(buildOver) ? this.lastWaiting.get(name)! : this.last!)
      // Seen waiting at one check only, it was not seen to wait for any time.
      if (Number.isFinite(waitStart) && waitEnd > waitStart) times.waiting = { startMs: waitStart, endMs: waitEnd }
      const buildStart = running ?? (Number.isFinite(waitStart) ? waitEnd : buildEnd)
      if (Number.isFinite(buildStart) && Number.isFinite(buildEnd))
        times.build = { startMs: buildStart, endMs: buildEnd }
      else if (seen.has('build:running')) times.build = { startMs: buildStart, endMs: this.last! }
      const runEnd = earliest(RUN_ENDS.map((state) => `run:${state}`))
      if (this.runsFrom !== undefined && Number.isFinite(runEnd)) times.run = { startMs: this.runsFrom, endMs: runEnd }
      if (seen.has('build:failed')) times.failed = 'build'
      else if (seen.has('run:failed')) times.failed = 'run'
      components[name] = times
    }
    return {
      startedAt: this.startedAt,
      ...(this.queued ? { queued: this.queued } : {}),
      observed: { startMs: this.first ?? 0, endMs: this.last ?? 0 },
      components,
      precisionMs: this.precision
    }
  }
}

/** When the last thing shown ends. */
export function timelineEnd(timeline: TimelineModel): number {
  return Math.max(timeline.observed.endMs, timeline.check?.span.endMs ?? 0)
}

/** With more components than this, a timeline shows the deployment's phases, not each component's. */
export const CHARTED_COMPONENTS = 8

/** The rows a timeline shows: one per component that was seen doing something, or one for them all. */
export function timelineRows(timeline: TimelineModel): [string, ComponentTimes][] {
  const rows = Object.entries(timeline.components).filter(([, times]) => times.waiting || times.build || times.run)
  if (rows.length <= CHARTED_COMPONENTS) return rows
  return [[`all ${rows.length} components`, phasesOf(rows.map(([, times]) => times))]]
}

/** Each phase from the first component that entered it to the last that left it; failed if any failed in it. */
function phasesOf(components: ComponentTimes[]): ComponentTimes {
  const cover = (spans: (Span | undefined)[]): Span | undefined => {
    const seen = spans.filter((span): span is Span => span !== undefined)
    if (seen.length === 0) return undefined
    return { startMs: Math.min(...seen.map((s) => s.startMs)), endMs: Math.max(...seen.map((s) => s.endMs)) }
  }
  const phases: ComponentTimes = {}
  const waiting = cover(components.map((c) => c.waiting))
  const build = cover(components.map((c) => c.build))
  const run = cover(components.map((c) => c.run))
  if (waiting) phases.waiting = waiting
  if (build) phases.build = build
  if (run) phases.run = run
  const failed = components.find((c) => c.failed === 'build') ?? components.find((c) => c.failed === 'run')
  if (failed) phases.failed = failed.failed!
  return phases
}
