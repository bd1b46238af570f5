/**
 * The blind floor: what a poller that cannot see the server's pace needs to keep the lag
 * within LAG_BUDGET_MS. Told for free when the first build has started (so it spends no
 * check before), it checks BUILDING_MAX_MS apart until it sees every build done (the final
 * status follows the last build's end by at least the task's 2 s pause), then
 * SWEEP_STEP_MS apart until the final status. The benchmark runs it in virtual time
 * (virtual-pollers.ts) and against the real server (real-timing.ts); the action's checks
 * are judged against it (goals.ts).
 */
import { BUILDING_MAX_MS, SWEEP_STEP_MS } from '../../src/engine/poll-policy.js'
import { phaseOf } from '../../src/engine/status.js'
import type { Deployment } from '../../src/engine/toolforge-types.js'

/** The floor's pause after reading `deployment` (not final). */
export function floorPause(deployment: Deployment): number {
  const phase = phaseOf(deployment)
  return phase === 'building' || phase === 'queued' ? BUILDING_MAX_MS : SWEEP_STEP_MS
}
