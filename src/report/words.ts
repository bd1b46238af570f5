import { statusOf } from '../engine/status.js'
import type { Deployment } from '../engine/toolforge-types.js'

/**
 * The one vocabulary of states, the same in the summary, the log, the command and the
 * docs: pending, queued, running, successful, failed, timed out, cancelled (and
 * cancelling, while Toolforge cancels). Toolforge's own values are mapped onto these
 * words here and nowhere else; machine outputs (the `status` output, --json, dotenv)
 * keep Toolforge's values.
 */

/** A build or run Toolforge has not started, whatever it calls it. */
export const NOT_STARTED = 'not-started'

const WORDS: Record<'deployment' | 'build' | 'run', Record<string, string>> = {
  deployment: { timed_out: 'timed out' },
  // `unknown` to Toolforge: asked for, waiting for one of the tool's build slots.
  build: { unknown: 'queued', [NOT_STARTED]: 'pending', timed_out: 'timed out' },
  run: { [NOT_STARTED]: 'pending', timed_out: 'timed out' }
}

/** The word for a state of a deployment, a build or a run. */
export function stateWord(of: 'deployment' | 'build' | 'run', state: string): string {
  return WORDS[of][state] ?? state
}

/** The deployment's status in words: `timed out`, not Toolforge's `timed_out`. */
export function statusWord(deployment: Deployment): string {
  return stateWord('deployment', statusOf(deployment))
}

/** The serving check's end, in the timeline. */
export const CHECK_WORDS = { passed: 'serves', failed: 'not serving', interrupted: 'interrupted' } as const

/** What a deployment is doing, in the command's live line. */
export const PHASE_WORDS: Record<string, string> = {
  queued: 'queued',
  building: 'building',
  failing: 'a build failed',
  'running-components': 'restarting components',
  finishing: 'finishing',
  final: 'done'
}
