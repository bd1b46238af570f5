import { ApiError } from '../engine/api-error.js'
import type { DeployOutcome } from '../engine/deploy.js'
import { formatDuration } from '../settings/duration.js'
import type { Settings } from '../settings/settings.js'
import { failedComponents, statusOf } from '../engine/status.js'

/**
 * What an outcome means, in words, for any front end: the failure message and the
 * advice that follows it. Texts from Toolforge are passed through as they came.
 */

export function toolUrl(tool: string): string {
  return `https://${tool}.toolforge.org/`
}

function apiErrorMessage(error: ApiError, settings: Settings): string {
  const said = error.toolforgeErrors.length > 0 ? error.toolforgeErrors.join('; ') : undefined
  switch (error.kind === 'http' ? error.status : undefined) {
    case 401:
      return `Toolforge refused the deploy token (HTTP 401): ${said ?? 'no reason given'}`
    case 403:
      return `Toolforge refused the request (HTTP 403): ${said ?? 'no reason given'}`
    case 404:
      return settings.deployId
        ? `Toolforge knows no deployment ${settings.deployId} of tool ${settings.tool} (HTTP 404): ${said ?? 'not found'}`
        : `Toolforge found nothing to deploy for tool ${settings.tool} (HTTP 404): ${said ?? 'not found'}`
    case 409:
      return `another deployment of ${settings.tool} is in progress on Toolforge (HTTP 409): ${said ?? 'conflict'}`
    default:
      return error.message
  }
}

/** The one-line reason the run failed, or undefined when it did not. */
export function failureMessage(outcome: DeployOutcome, settings: Settings): string | undefined {
  const d = outcome.deployment
  const id = d?.deploy_id ?? settings.deployId
  switch (outcome.end) {
    case 'successful':
    case 'no-wait':
      return undefined
    case 'failed':
      return `Toolforge deployment ${id} of ${settings.tool} ended ${statusOf(d!)}: ${d!.long_status || 'no reason given'}`
    case 'timeout':
      return id
        ? `stopped waiting after ${formatDuration(settings.timeoutMs)}; deployment ${id} is still ${d ? statusOf(d) : 'in progress'} on Toolforge. It goes on there; this run no longer follows it.`
        : `stopped waiting after ${formatDuration(settings.timeoutMs)}; another deployment of ${settings.tool} was still in progress on Toolforge, so none was created.`
    case 'interrupted':
      if (id) {
        return `the run was cancelled; deployment ${id} goes on on Toolforge (a deploy token cannot cancel it). Last status: ${d ? statusOf(d) : 'unknown'}.`
      }
      return 'the run was cancelled before a deployment was created.'
    case 'error': {
      const error = outcome.error!
      const reason = error instanceof ApiError ? apiErrorMessage(error, settings) : error.message
      if (outcome.mayHaveStarted) {
        return `creating the deployment failed with an unknown outcome (${reason}): a deployment may have been started on Toolforge. It was not retried, so that no second one is started.`
      }
      return id ? `following deployment ${id} failed: ${reason}` : `creating the deployment failed: ${reason}`
    }
  }
}

export interface NextStep {
  text: string
  command?: string
}

/** What a maintainer can do about the outcome. */
export function nextSteps(outcome: DeployOutcome, settings: Settings): NextStep[] {
  const d = outcome.deployment
  const id = d?.deploy_id ?? settings.deployId
  const steps: NextStep[] = []
  const status = { text: 'See the deployment on Toolforge', command: `toolforge components deployment show ${id}` }
  switch (outcome.end) {
    case 'successful':
    case 'no-wait':
      return steps
    case 'failed':
      for (const failed of failedComponents(d!)) {
        if (failed.stage === 'build') {
          const buildId = d!.builds[failed.component]?.build_id
          steps.push({ text: `Read the build log of ${failed.component}`, command: `toolforge build logs ${buildId}` })
        } else steps.push({ text: `Read the logs of ${failed.component}`, command: `toolforge jobs logs ${failed.component}` })
      }
      if (d!.status === 'failed') {
        steps.push({ text: 'If a build failed for a passing reason, re-run with force-build: true to rebuild' })
      }
      if (d!.status === 'timed_out') steps.push({ text: 'Toolforge gives a deployment one hour; check for stuck builds', command: 'toolforge build list' })
      steps.push(status)
      return steps
    case 'timeout':
      if (id) {
        steps.push(status)
        steps.push({ text: `Follow it from another step with deploy-id: ${id}, or raise timeout` })
      } else steps.push({ text: 'Raise timeout, or check what else is deploying', command: 'toolforge components deployment list' })
      return steps
    case 'interrupted':
      if (id) steps.push(status)
      return steps
    case 'error': {
      const httpStatus = outcome.error instanceof ApiError && outcome.error.kind === 'http' ? outcome.error.status : undefined
      if (outcome.mayHaveStarted) {
        steps.push({ text: 'Check whether a deployment was started before re-running', command: 'toolforge components deployment list' })
      } else if (httpStatus === 401) {
        steps.push({ text: 'Create a new deploy token and store it in the secret', command: 'toolforge components deploy-token create' })
      } else if (httpStatus === 404 && !settings.deployId) {
        steps.push({ text: 'Check that the tool name is right and that it has a components config', command: 'toolforge components config show' })
      } else if (httpStatus === 404) {
        steps.push({ text: 'Toolforge keeps the last 25 deployments of a tool; list them', command: 'toolforge components deployment list' })
      } else if (httpStatus === 409) {
        steps.push({ text: 'Set on-conflict: wait to queue behind the deployment in progress' })
      } else if (id) steps.push(status)
      return steps
    }
  }
}
