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

export const BAD_INPUT_ANCHOR = 'an-input-is-refused'

const BY_KIND: Partial<Record<OutcomeKind, string>> = {
  'not-serving': 'deployed-but-not-serving',
  'other-commit': 'deployed-another-commit',
  'timed-out': 'toolforge-timed-out-the-deployment',
  cancelled: 'the-deployment-was-cancelled-on-toolforge',
  'stopped-waiting': 'this-runs-timeout-expired',
  interrupted: 'interrupted',
  queued: 'queued-behind-another-deployment',
  unreachable: 'toolforge-could-not-be-reached',
  'unknown-creation': 'not-known-whether-a-deployment-was-started',
  vanished: 'the-deployment-is-no-longer-on-toolforge',
  'bad-input': BAD_INPUT_ANCHOR
}

const BY_STATUS: Record<number, string> = {
  401: 'the-deploy-token-is-refused',
  403: 'the-deploy-token-is-refused',
  404: 'toolforge-found-nothing-to-deploy-http-404',
  409: 'another-deployment-is-in-progress-http-409'
}

export const CONFIG_ANCHOR = 'the-components-config-would-be-refused'
export const UNEXPECTED_ANCHOR = 'an-unexpected-error'

/** Every anchor a run can link to, for the test that checks them. */
export const ANCHORS: readonly string[] = [
  ...new Set([
    ...Object.values(BY_KIND),
    ...Object.values(BY_STATUS),
    'a-build-failed',
    'a-run-failed',
    'toolforge-failed-on-its-side',
    'the-api-address-answered-with-a-redirect',
    'toolforge-refused-the-request',
    CONFIG_ANCHOR,
    UNEXPECTED_ANCHOR
  ])
]

export const troubleshootingLink = (anchor: string) => `${TROUBLESHOOTING}#${anchor}`

/** The heading that explains how this run ended; none for a success. */
export function troubleshootingAnchor(kind: OutcomeKind, outcome: DeployOutcome): string | undefined {
  const error = outcome.error
  if (kind === 'failed') {
    if (outcome.deployment && failureOwner(outcome.deployment) === 'toolforge') return 'toolforge-failed-on-its-side'
    const stages = outcome.deployment ? failedComponents(outcome.deployment).map((f) => f.stage) : []
    return stages.includes('build') || stages.length === 0 ? 'a-build-failed' : 'a-run-failed'
  }
  if (kind === 'refused') {
    if (error instanceof ApiError && error.kind === 'redirect') return 'the-api-address-answered-with-a-redirect'
    return (error instanceof ApiError && BY_STATUS[error.status ?? 0]) || 'toolforge-refused-the-request'
  }
  return BY_KIND[kind]
}
