import { ApiError } from '../engine/api-error.js'
import type { DeployOutcome } from '../engine/deploy.js'
import { failureOwner } from '../engine/failure-class.js'
import { failedComponents } from '../engine/status.js'
import type { OutcomeKind } from './outcome.js'

/**
 * Where each failure is explained: a heading of docs/troubleshooting.md, at the major version's tag, so that a link
 * printed by any 1.x run resolves. A test checks every anchor here against the page's headings.
 */
export const TROUBLESHOOTING = 'https://github.com/toolforge/deploy-action/blob/v1/docs/troubleshooting.md'

/** Every heading a run can link to, by what it explains. */
export const HEADINGS = {
  badInput: 'an-input-is-refused',
  config: 'the-components-config-would-be-refused',
  unexpected: 'an-unexpected-error',
  buildFailed: 'a-build-failed',
  runFailed: 'a-run-failed',
  toolforgeFailed: 'toolforge-failed-on-its-side',
  redirect: 'the-api-address-answered-with-a-redirect',
  refused: 'toolforge-refused-the-request',
  token: 'the-deploy-token-is-refused',
  notFound: 'toolforge-found-nothing-to-deploy-http-404',
  conflict: 'another-deployment-is-in-progress-http-409',
  notServing: 'deployed-but-not-serving',
  otherCommit: 'deployed-another-commit',
  timedOut: 'toolforge-timed-out-the-deployment',
  cancelled: 'the-deployment-was-cancelled-on-toolforge',
  stoppedWaiting: 'this-runs-timeout-expired',
  interrupted: 'interrupted',
  queued: 'queued-behind-another-deployment',
  unreachable: 'toolforge-could-not-be-reached',
  unknownCreation: 'not-known-whether-a-deployment-was-started',
  vanished: 'the-deployment-is-no-longer-on-toolforge'
} as const

const BY_KIND: Partial<Record<OutcomeKind, string>> = {
  'not-serving': HEADINGS.notServing,
  'other-commit': HEADINGS.otherCommit,
  'timed-out': HEADINGS.timedOut,
  cancelled: HEADINGS.cancelled,
  'stopped-waiting': HEADINGS.stoppedWaiting,
  interrupted: HEADINGS.interrupted,
  queued: HEADINGS.queued,
  unreachable: HEADINGS.unreachable,
  'unknown-creation': HEADINGS.unknownCreation,
  vanished: HEADINGS.vanished,
  'bad-input': HEADINGS.badInput
}

const BY_STATUS: Record<number, string> = {
  401: HEADINGS.token,
  403: HEADINGS.token,
  404: HEADINGS.notFound,
  409: HEADINGS.conflict
}

export const troubleshootingLink = (anchor: string) => `${TROUBLESHOOTING}#${anchor}`

/** The API answered with a redirect, which is never followed: the address given is not the API's. */
export const redirected = (outcome: DeployOutcome) =>
  outcome.error instanceof ApiError && outcome.error.kind === 'redirect'

/** The heading that explains how this run ended; none for a success. */
export function troubleshootingAnchor(kind: OutcomeKind, outcome: DeployOutcome): string | undefined {
  const error = outcome.error
  if (kind === 'failed') {
    if (outcome.deployment && failureOwner(outcome.deployment) === 'toolforge') return HEADINGS.toolforgeFailed
    const stages = outcome.deployment ? failedComponents(outcome.deployment).map((f) => f.stage) : []
    return stages.includes('build') || stages.length === 0 ? HEADINGS.buildFailed : HEADINGS.runFailed
  }
  if (kind === 'refused') {
    if (redirected(outcome)) return HEADINGS.redirect
    return (error instanceof ApiError && BY_STATUS[error.status ?? 0]) || HEADINGS.refused
  }
  return BY_KIND[kind]
}
