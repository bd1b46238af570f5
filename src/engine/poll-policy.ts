import type { Phase } from './status.js'

/**
 * How long to pause before the next status check, from what the deployment tells.
 *
 * - A change of state is a reason to look again soon (1 s): one step often follows
 *   another. Not so a build that ends while others still run: what follows it is
 *   another build, minutes away, so the building pace goes on.
 * - Queued (pending, or every build waiting for a slot): nothing can end soon; the pause
 *   grows by half each time towards `poll-interval`.
 * - Building: builds take minutes, but the runs phase that follows the last build lasts
 *   only seconds. Pausing at most RUNS_PHASE_MIN + LAG_BUDGET means a check lands either
 *   inside the runs phase (and the pace quickens) or at most LAG_BUDGET after the end.
 * - Running components: the final status is seconds away: check every second.
 * - Finishing (every build and run done, or a build failed): only the server's
 *   bookkeeping remains: check every quarter second.
 * - When "seconds away" proves wrong (nothing changed for SOON_MS: a long cancel, a
 *   stuck run), the pace falls back to the building one, so that a deployment stuck in
 *   a late phase costs at most one request per BUILDING_MAX_MS.
 * `poll-interval` is always the ceiling, and the caller adds Retry-After as the floor.
 */
export const QUICK_MS = 1_000
export const RUNS_PHASE_MIN_MS = 2_000
export const LAG_BUDGET_MS = 2_500
export const BUILDING_MAX_MS = RUNS_PHASE_MIN_MS + LAG_BUDGET_MS
export const FINISHING_MS = 250
export const SOON_MS = 10_000
const GROWTH = 1.5

export interface PollContext {
  phase: Phase
  /** The last check saw a different state from the one before. */
  changed: boolean
  /** ...and a different phase. */
  phaseChanged: boolean
  /** Time since the state last changed (or since the wait began). */
  msSinceChange: number
  previousDelayMs: number
  pollIntervalMs: number
}

export function nextPollDelay({ phase, changed, phaseChanged, msSinceChange, previousDelayMs, pollIntervalMs }: PollContext): number {
  const soon = changed && (phaseChanged || phase !== 'building')
  const grown = soon ? QUICK_MS : Math.max(QUICK_MS, previousDelayMs * GROWTH)
  const late = phase === 'finishing' || phase === 'running-components'
  let delay: number
  switch (late && msSinceChange > SOON_MS ? 'building' : phase) {
    case 'finishing':
      delay = FINISHING_MS
      break
    case 'running-components':
      delay = QUICK_MS
      break
    case 'building':
      delay = Math.min(grown, BUILDING_MAX_MS)
      break
    default:
      delay = grown
  }
  return Math.min(Math.round(delay), pollIntervalMs)
}
