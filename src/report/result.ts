import { ApiError } from '../engine/api-error.js'
import type { Attempt, DeployOutcome } from '../engine/deploy.js'
import type { CommitReport } from '../engine/deployed-commit.js'
import type { CheckResult } from '../engine/serving-check.js'
import { failureOwner } from '../engine/failure-class.js'
import { statusOf } from '../engine/status.js'
import { OUTPUTS, type OutputName } from '../settings/input-table.js'
import type { Settings } from '../settings/settings.js'
import { outcomeKind, type OutcomeKind } from './outcome.js'
import { deploymentJson, oneLine, OUTPUT_TEXT_LIMIT } from './sanitize.js'

/**
 * A run's result, once: the action's outputs, the command's --json and its dotenv file
 * are each rendered from it, so that they agree on every field for every ending.
 */

/** Exit codes of the command, as its help documents them; the action's step fails on any but 0. */
export const EXIT = { success: 0, deploymentFailed: 1, usage: 2, stoppedWaiting: 3, refused: 4 } as const

const EXIT_OF: Record<OutcomeKind, number> = {
  successful: EXIT.success,
  'token-accepted': EXIT.success,
  'config-accepted': EXIT.success,
  started: EXIT.success,
  'not-serving': EXIT.deploymentFailed,
  'other-commit': EXIT.deploymentFailed,
  failed: EXIT.deploymentFailed,
  'timed-out': EXIT.deploymentFailed,
  cancelled: EXIT.deploymentFailed,
  'stopped-waiting': EXIT.stoppedWaiting,
  interrupted: EXIT.stoppedWaiting,
  // As for a refused conflict: the user asked not to queue.
  queued: EXIT.refused,
  refused: EXIT.refused,
  unreachable: EXIT.refused,
  'unknown-creation': EXIT.refused,
  vanished: EXIT.refused,
  'bad-input': EXIT.usage
}

export function exitCodeOf(outcome: OutcomeKind): number {
  return EXIT_OF[outcome]
}

/** Whose failure it was, in one word (the `failure` output); '' for a run that succeeded. */
export type Failure = '' | 'tool' | 'toolforge' | 'timeout' | 'cancelled' | 'input'

const FAILURE_OF: Record<OutcomeKind, Failure> = {
  successful: '',
  'token-accepted': '',
  'config-accepted': '',
  started: '',
  'not-serving': 'tool',
  'other-commit': 'tool',
  failed: 'tool',
  // Toolforge's own limit of an hour: its builds or services did not finish.
  'timed-out': 'toolforge',
  cancelled: 'cancelled',
  'stopped-waiting': 'timeout',
  interrupted: 'cancelled',
  // Refused for the inputs: the token, the tool's name, on-conflict: fail, an api-url that redirects.
  queued: 'input',
  refused: 'input',
  unreachable: 'toolforge',
  'unknown-creation': 'toolforge',
  vanished: 'toolforge',
  'bad-input': 'input'
}

export function failureOf(kind: OutcomeKind, outcome: DeployOutcome): Failure {
  if (kind === 'failed') return failureOwner(outcome.deployment!)
  // The run's timeout, reached while the API was failing: the API's doing more than the wait's.
  if (kind === 'stopped-waiting' && outcome.outages.at(-1)?.ongoing) return 'toolforge'
  return FAILURE_OF[kind]
}

export interface RunError {
  /** The ending (failed, refused, …), or the API error's kind when the API failed. */
  kind: string
  /** The reason, as the summary states it. */
  message: string
  /** Several bad inputs: each one's message, for a front end that tells them one by one. */
  problems?: string[]
  httpStatus?: number
}

export interface RunResult {
  exitCode: number
  /** Every output, by name, as the action sets it: '' where the run has none. */
  outputs: Record<OutputName, string>
  /** Why the run failed, whenever it did. */
  error: RunError | null
}

/**
 * The result of a run that got as far as a deployment (or a refusal of one), with the summary's reason when it failed.
 */
export function runResult(outcome: DeployOutcome, settings: Settings, problem: string | undefined): RunResult {
  const kind = outcomeKind(outcome)
  const deployment = outcome.deployment
  const exitCode = exitCodeOf(kind)
  const failure = outcome.error
  const outputs: Record<OutputName, string> = {
    deploy_id: deployment?.deploy_id ?? settings.deployId ?? '',
    status: deployment ? statusOf(deployment) : '',
    long_status: oneLine(deployment?.long_status ?? '', OUTPUT_TEXT_LIMIT),
    url: settings.toolAddress,
    deployment: deployment ? deploymentJson(deployment) : '',
    check: outcome.check?.result ?? 'skipped',
    check_url: outcome.check?.target?.url ?? '',
    commit: outcome.commits?.commit ?? '',
    outcome: kind,
    failure: failureOf(kind, outcome),
    // The deployments this run created: its earlier attempts, and the one these outputs describe.
    attempts: String(outcome.attempts.length + (deployment && settings.deployId === undefined ? 1 : 0)),
    reason: ''
  }
  const error =
    exitCode === EXIT.success
      ? null
      : {
          kind: failure instanceof ApiError ? failure.kind : kind,
          message: problem ?? kind,
          ...(failure instanceof ApiError && failure.status ? { httpStatus: failure.status } : {})
        }
  return { exitCode, outputs: { ...outputs, reason: reasonOf(error) }, error }
}

const reasonOf = (error: RunError | null) => (error ? oneLine(error.message, OUTPUT_TEXT_LIMIT) : '')

/**
 * A run that ended before any deployment was asked for: bad input or usage, a config
 * Toolforge would refuse, a config checked alone, or an error of the run's own.
 */
export function earlyResult(kind: OutcomeKind, error: RunError | null, toolAddress = ''): RunResult {
  const outputs = Object.fromEntries(OUTPUTS.map((output) => [output.name, ''])) as Record<OutputName, string>
  return {
    exitCode: exitCodeOf(kind),
    outputs: {
      ...outputs,
      url: toolAddress,
      check: 'skipped',
      outcome: kind,
      failure: FAILURE_OF[kind],
      attempts: '0',
      reason: reasonOf(error)
    },
    error
  }
}

/**
 * --json: every output under its own name and with its value (`deployment` parsed), the
 * exit code, the error's kind and HTTP status, and the details no output holds: the serving check's probes and
 * each component's commit.
 */
export function jsonOf(
  result: RunResult,
  detail: { check?: CheckResult; commits?: CommitReport; attempts?: Attempt[] } = {}
): string {
  const { outcome, deployment, ...outputs } = result.outputs
  return JSON.stringify({
    outcome,
    exitCode: result.exitCode,
    ...outputs,
    deployment: deployment ? (JSON.parse(deployment) as unknown) : null,
    check_detail: detail.check ?? null,
    // The deployments before the one described, each failed for Toolforge's own reason.
    attempts_detail: (detail.attempts ?? []).map((a) => ({
      deploy_id: a.deployId,
      status: a.status,
      reason: a.reason
    })),
    commits: (detail.commits?.components ?? []).map((c) => ({
      component: c.component,
      repository: c.repository,
      ref: c.ref,
      commit: c.commit ?? null,
      ...(c.reason ? { reason: c.reason } : {})
    })),
    // The reason is `reason`, said once; the error adds what a script branches on.
    error: result.error
      ? {
          kind: result.error.kind,
          ...(result.error.httpStatus ? { httpStatus: result.error.httpStatus } : {}),
          ...(result.error.problems ? { problems: result.error.problems } : {})
        }
      : null
  })
}

/** GitLab takes a dotenv file of at most 5 KB: each text is cut to this many characters. */
export const DOTENV_TEXT_LIMIT = 1_000

/**
 * A dotenv value is one line that GitLab keeps as written (no quotes stripped, no escapes read) and that a later
 * job's shell or variable expansion must not act on: what could mean more than itself is swapped for a look-alike.
 */
const LOOK_ALIKES: Record<string, string> = { '"': '”', "'": '’', '`': '’', $: '＄', '#': '＃', '\\': '∖' }
const dotenvValue = (text: string) =>
  oneLine(text, DOTENV_TEXT_LIMIT)
    .replace(/["'`$#\\]/g, (c) => LOOK_ALIKES[c]!)
    .trim()

/** The dotenv file: each output that has a dotenv name, in the table's order. */
export function dotenvOf(result: RunResult): string {
  const lines = OUTPUTS.flatMap((output) =>
    output.dotenv ? [`${output.dotenv}=${dotenvValue(result.outputs[output.name])}`] : []
  )
  return `${lines.join('\n')}\n`
}
