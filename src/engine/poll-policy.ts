import { tickClosingAfter, tickWindow, type TickModel } from './server-ticks.js'
import { SERVER_QUEUE_SIGN_MS, type Phase } from './status.js'

/**
 * How long to pause before the next status check, from what the deployment tells and
 * from when the server's task changes it (server-ticks.ts).
 *
 * - Queued (the deployment pending, or every unfinished build waiting for a slot, shown
 *   `unknown`; a slot can take up to 30 minutes): nothing can end soon. The first check
 *   comes after FIRST_CHECK_MS, when the task has usually started the builds, and the
 *   next ones every FIRST_TICK_STEP_MS until its first tick is seen (which dates every
 *   later tick); the pause then grows by half each time towards `poll-interval`, at
 *   least to the second tick ahead.
 * - Building: the final status comes one tick after the last build ends, so checking just
 *   after every second tick sees it at most a moment late; without a known tick, at most
 *   BUILDING_MAX_MS apart (the runs start a tick after the builds end: a check lands then,
 *   or at most LAG_BUDGET_MS after the end).
 * - Running components: just after the next tick, when the runs start; then every second.
 * - Finishing (every build and run done, a build failed, or a cancel asked for): only the
 *   server's bookkeeping remains: every quarter second.
 * - When "soon" proves wrong (nothing changed for SOON_MS in a late phase), the building
 *   pace applies.
 * - Queued on the server (pending, no build started: the next Components API's queue):
 *   once more when the server's first pass is surely over (SERVER_QUEUE_SIGN_MS after
 *   creation), then once per pass of the server's queue loop (every 5 s plus its own
 *   calls, from the creation on), just after it when it can be predicted.
 * Every check that can be placed just after a predicted tick is. `poll-interval` is
 * always the ceiling, and the caller adds Retry-After as the floor.
 */
/** The server's queue loop: 5 s of sleep plus a look at the tool's deployments. */
export const QUEUE_PASS = { minMs: 5_000, maxMs: 5_300 } as const
export const FIRST_CHECK_MS = 300
/** Until the first tick is seen, how soon to look again: the first tick dates all the others. */
export const FIRST_TICK_STEP_MS = 200
/** ...for as long as the first tick usually takes to come (the builds starting). */
export const FIRST_TICK_WITHIN_MS = 1_500
export const QUICK_MS = 1_000
export const RUNS_PHASE_MIN_MS = 2_000
export const LAG_BUDGET_MS = 1_200
export const BUILDING_MAX_MS = RUNS_PHASE_MIN_MS + LAG_BUDGET_MS
export const FINISHING_MS = 250
export const SOON_MS = 10_000
/** After a predicted tick: the pass over the builds, and the runs that follow a tick, are done by then. */
export const TICK_MARGIN_MS = 60
/** A tick predicted less precisely than this is not worth aiming at. */
export const MAX_TICK_SPREAD_MS = 1_000
const GROWTH = 1.5

export interface PollContext {
  phase: Phase
  /** The last check saw a different state from the one before. */
  changed: boolean
  /** ...and a different phase. */
  phaseChanged: boolean
  /** Time since the state last changed (or since the wait began). */
  msSinceChange: number
  /** Time since the wait began. */
  msWaiting: number
  previousDelayMs: number
  pollIntervalMs: number
  /** What is known of the server's ticks, on the same clock as `now`. */
  ticks: TickModel | undefined
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

export function nextPollDelay(context: PollContext): number {
  const { phase, changed, phaseChanged, msSinceChange, msWaiting, previousDelayMs, pollIntervalMs, ticks, serverQueue, now } = context
  if (serverQueue) {
    const delay =
      serverQueue.msSinceCreation < SERVER_QUEUE_SIGN_MS
        ? SERVER_QUEUE_SIGN_MS - serverQueue.msSinceCreation
        : (afterTick(serverQueue.passes, now, QUEUE_PASS.minMs / 2, pollIntervalMs) ?? QUEUE_PASS.minMs)
    return Math.min(Math.round(delay), pollIntervalMs)
  }
  const period = ticks ? (ticks.minPeriod + ticks.maxPeriod) / 2 : RUNS_PHASE_MIN_MS
  const late = phase === 'finishing' || phase === 'running-components'
  let delay: number
  switch (late && msSinceChange > SOON_MS ? 'building' : phase) {
    case 'finishing':
      delay = FINISHING_MS
      break
    case 'running-components':
      delay = (changed && afterTick(ticks, now, period / 2, 1.5 * period)) || QUICK_MS
      break
    case 'building': {
      const grown = changed && phaseChanged ? QUICK_MS : Math.max(QUICK_MS, previousDelayMs * GROWTH)
      delay = afterTick(ticks, now, 1.5 * period, pollIntervalMs) ?? Math.min(grown, BUILDING_MAX_MS)
      break
    }
    default: {
      if (!ticks && msWaiting < FIRST_TICK_WITHIN_MS) {
        delay = FIRST_TICK_STEP_MS
        break
      }
      const grown = Math.min(Math.max(FIRST_CHECK_MS, previousDelayMs * GROWTH), pollIntervalMs)
      // Never closer than every second tick: the end is a tick after the last build ends.
      delay = afterTick(ticks, now, Math.max(grown, 1.5 * period), pollIntervalMs) ?? grown
    }
  }
  return Math.min(Math.round(delay), pollIntervalMs)
}
