import { aimingPace, PASS_PRIOR, tickClosingAfter, tickWindow, type TickModel } from './server-ticks.js'
import { SERVER_QUEUE_SIGN_MS, type Phase } from './status.js'

/**
 * How long to pause before the next status check, from what the deployment tells and
 * from when the server's task changes it (server-ticks.ts).
 *
 * - Queued (the deployment pending, or every unfinished build waiting for a slot, shown
 *   `unknown`; a slot can take up to 30 minutes): nothing can end soon. The first check
 *   comes after FIRST_CHECK_MS, when the task may already have ended a deployment with
 *   nothing to build; the pause then grows by half each time towards `poll-interval`, at
 *   least to the second tick ahead.
 * - A build under way (started, not done): the final status needs a pass to see it end
 *   and then the task's 2 s pause, so no check is needed sooner than BUILDING_MAX_MS.
 * - Builds started, none looked at yet, soon after the creation: the task's first pass
 *   follows at once. Looks FIRST_PASS_STEP_MS apart see it closely: it anchors every aim.
 *   No build started by then: the services are slow; the next look after QUICK_MS.
 * - Building: the final status comes one pass after the last build ends, so checking just
 *   after every second predicted tick sees it at most a moment late. While the ticks are
 *   not known well enough, checks are BUILDING_MAX_MS apart: the final status comes at
 *   least 2 s after the last build ends, so a check lands before it, or at most
 *   LAG_BUDGET_MS after it, whatever the pace.
 * - Every build done (the runs to come, or a failed build to report): that pass is due.
 *   Looks BLIND_STEP_MS apart over the span it can surely fall in, or, where the pass is
 *   predicted, AIMED_STEP_MS apart over its window with steps of at most SWEEP_STEP_MS
 *   before it (sweepDuePass), so a wrong guess of the pace costs a step, not a pass.
 *   Once a run is done and another still to come, the next run is near: looks double
 *   from FINISHING_MS up to SWEEP_STEP_MS.
 * - Finishing (every run done, or a cancel asked for): only the server's bookkeeping
 *   remains: every quarter second.
 * - When "soon" proves wrong (nothing changed for SOON_MS in a late phase), the building
 *   pace applies.
 * - Queued on the server (pending, no build started: the next Components API's queue):
 *   once more when the server's first pass is surely over (SERVER_QUEUE_SIGN_MS after
 *   creation), then once per pass of the server's queue loop (every 5 s plus its own
 *   calls, from the creation on), just after it when it can be predicted. Only leaving
 *   the queue shows a pass, once: there is nothing to learn its pace from.
 * Every check that can be placed just after a predicted tick is. `poll-interval` is
 * always the ceiling, and the caller adds Retry-After as the floor.
 */
/** The server's queue loop: 5 s of sleep plus a look at the tool's deployments. */
export const QUEUE_PASS = { minMs: 5_000, maxMs: 5_300 } as const
export const FIRST_CHECK_MS = 100
/**
 * Builds started this soon after the creation: the build service answers at once, the
 * task's first pass follows, and looks FIRST_PASS_STEP_MS apart see it closely: it anchors
 * every later aim, at the pace measured on such a server. Where not one build has started
 * by the first check, the services answer slower, the guessed pace would mislead, and the
 * next check waits for QUICK_MS, when a build has started (and a pass may have ended a
 * deployment whose builds could not start).
 */
export const FIRST_PASS_STEP_MS = 60
export const FIRST_PASS_WAIT_MS = 300
export const QUICK_MS = 1_000
export const RUNS_PHASE_MIN_MS = 2_000
export const LAG_BUDGET_MS = 1_200
export const BUILDING_MAX_MS = RUNS_PHASE_MIN_MS + LAG_BUDGET_MS
export const FINISHING_MS = 250
/** The longest step where a change is due soon: up to an aimed window, and between runs. */
export const SWEEP_STEP_MS = 700
/**
 * How far apart looks sweep the span a due pass can fall in where nothing tells where in
 * it: the pass is as likely anywhere, so the lag is spread evenly up to a step, and a
 * median lag of 0.4 s needs steps well under 0.8 s (with the 0.7 s of SWEEP_STEP_MS, 8 of
 * 42 such points on the real server had a median lag of 0.40–0.55 s).
 */
export const BLIND_STEP_MS = 400
/** How far apart looks cover the window a due pass is predicted in. */
export const AIMED_STEP_MS = 150
export const SOON_MS = 10_000
/** After a predicted tick: the pass over the builds, and the runs that follow a tick, are done by then. */
export const TICK_MARGIN_MS = 25
/** A tick predicted less precisely than this is not worth aiming at. */
export const MAX_TICK_SPREAD_MS = 1_000
const GROWTH = 1.5

export interface PollContext {
  phase: Phase
  /** The last check saw a different state from the one before. */
  changed: boolean
  /** Time since the state last changed (or since the wait began). */
  msSinceChange: number
  previousDelayMs: number
  pollIntervalMs: number
  /** A run is done and another still to come. */
  runsUnderWay?: boolean
  /** A build is under way: the final status is at least the task's pause away. */
  buildUnderWay?: boolean
  /** Before the task's first pass over the builds (status.ts buildsStarting), this long after the creation. */
  starting?: { builds: 'none' | 'started'; msSinceCreation: number }
  /** What is known of the server's ticks, on the same clock as `now`. */
  ticks: TickModel | undefined
  /** The check that first saw every build done after a pass ended one: sent at `lo`, answered at `hi`. */
  buildsDone?: { lo: number; hi: number }
  /** The deployment looks queued on the server: its queue loop's passes, and its age. */
  serverQueue?: { passes: TickModel; msSinceCreation: number }
  now: number
}

/**
 * The pause that puts the check just after a predicted tick: the first one at least
 * `minMs` away, or the last one within `maxMs` when that is further. Undefined when no
 * tick is known well enough to aim at.
 */
function afterTick(ticks: TickModel | undefined, now: number, minMs: number, maxMs: number): number | undefined {
  if (!ticks) return undefined
  let k = tickClosingAfter(ticks, now + minMs - TICK_MARGIN_MS)
  if (tickWindow(ticks, k).hi + TICK_MARGIN_MS - now > maxMs) k -= 1
  const tick = tickWindow(ticks, Math.max(0, k))
  const delay = tick.hi + TICK_MARGIN_MS - now
  return tick.hi - tick.lo <= MAX_TICK_SPREAD_MS && delay > 0 && delay <= maxMs ? delay : undefined
}

/**
 * Every build is done, as the check at `buildsDone` saw first: the task's next pass, when
 * it starts the runs (or reports the failed build), comes one pass after the last build
 * ended, so surely within [lo + the shortest pass, hi + the longest plausible one]. Where
 * nothing predicts the pass, looks sweep that span BLIND_STEP_MS apart. Where the pass is
 * predicted to within MAX_TICK_SPREAD_MS, looks AIMED_STEP_MS apart cover the window it is
 * predicted in, the last just after it: the further the pass lies from the last one seen,
 * the wider the window, and one look at its end would see the change that much late.
 * Before the window, steps of at most SWEEP_STEP_MS insure against a wrong guess of the
 * pace (nothing while builds run can tell), evened out to end on its first look; a window
 * gone by with nothing new leaves the rest of the span to blind steps.
 */
function sweepDuePass(
  ticks: TickModel | undefined,
  buildsDone: { lo: number; hi: number } | undefined,
  now: number
): number | undefined {
  if (!buildsDone) return undefined
  const due = { lo: buildsDone.lo + (ticks?.minPeriod ?? PASS_PRIOR.minMs), hi: buildsDone.hi + PASS_PRIOR.maxMs }
  const end = due.hi + TICK_MARGIN_MS
  if (now + 1 >= end) return undefined
  const steps = (from: number) => Math.min(Math.max(from - now, 0) + BLIND_STEP_MS, end - now)
  const aimed = ticks && tickWindow(ticks, tickClosingAfter(ticks, Math.max(buildsDone.hi, due.lo)))
  if (!aimed || aimed.hi - aimed.lo > MAX_TICK_SPREAD_MS) return steps(due.lo)
  const last = aimed.hi + TICK_MARGIN_MS
  // Looks a moment apart at least: a look just short of one planned would plan it again.
  const soon = now + 1
  if (soon >= last) return steps(now)
  const count = Math.max(1, Math.ceil((last - aimed.lo) / AIMED_STEP_MS))
  const across = (last - aimed.lo) / count
  const first = aimed.lo + across
  if (soon < first) {
    // Up to the window, the sweep's steps, evened out to end on its first look.
    const from = Math.max(now, due.lo)
    return from - now + (first - from) / Math.max(1, Math.ceil((first - from) / SWEEP_STEP_MS))
  }
  return Math.min(first + (Math.floor((soon - first) / across) + 1) * across, last) - now
}

/** The previous pause grown by `factor`, kept within [floor, cap]. */
function grown(previousMs: number, factor: number, floor: number, cap: number): number {
  return Math.min(Math.max(floor, previousMs * factor), cap)
}

/** The runs follow one another, each as quick as the jobs service answers. */
function nextRunLook(changed: boolean, previousDelayMs: number): number {
  return changed ? FINISHING_MS : grown(previousDelayMs, 2, FINISHING_MS, SWEEP_STEP_MS)
}

export function nextPollDelay(context: PollContext): number {
  const {
    phase,
    changed,
    msSinceChange,
    previousDelayMs,
    pollIntervalMs,
    ticks,
    buildsDone,
    buildUnderWay,
    starting,
    runsUnderWay,
    serverQueue,
    now
  } = context
  if (serverQueue) {
    const delay =
      serverQueue.msSinceCreation < SERVER_QUEUE_SIGN_MS
        ? SERVER_QUEUE_SIGN_MS - serverQueue.msSinceCreation
        : (afterTick(serverQueue.passes, now, QUEUE_PASS.minMs / 2, pollIntervalMs) ?? QUEUE_PASS.minMs)
    return Math.min(Math.round(delay), pollIntervalMs)
  }
  const pace = ticks && aimingPace(ticks)
  const period = pace ? (pace.min + pace.max) / 2 : RUNS_PHASE_MIN_MS
  const late = phase === 'finishing' || phase === 'failing' || phase === 'running-components'
  let delay: number
  switch (late && msSinceChange > SOON_MS ? 'building' : phase) {
    case 'finishing':
      delay = FINISHING_MS
      break
    case 'failing':
    case 'running-components':
      delay = runsUnderWay ? nextRunLook(changed, previousDelayMs) : (sweepDuePass(ticks, buildsDone, now) ?? QUICK_MS)
      break
    case 'building':
      delay = afterTick(ticks, now, 1.5 * period, pollIntervalMs) ?? BUILDING_MAX_MS
      break
    default: {
      if (starting && !ticks && starting.msSinceCreation < FIRST_PASS_WAIT_MS) {
        delay = starting.builds === 'started' ? FIRST_PASS_STEP_MS : QUICK_MS
        break
      }
      const pause = grown(previousDelayMs, GROWTH, buildUnderWay ? BUILDING_MAX_MS : FIRST_CHECK_MS, pollIntervalMs)
      // Never closer than every second tick: the end is a tick after the last build ends.
      delay = afterTick(ticks, now, Math.max(pause, 1.5 * period), pollIntervalMs) ?? pause
    }
  }
  return Math.min(Math.round(delay), pollIntervalMs)
}
