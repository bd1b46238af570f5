import * as core from '@actions/core'
import type { ActionLog } from './action-log.js'
import type { ApiError } from './api-error.js'
import type { DeployObserver, DeployOutcome } from './deploy.js'
import { formatDuration } from './duration.js'
import { toolUrl } from './outcome.js'
import { ProgressLog, HEARTBEAT_MS } from './progress.js'
import type { Redactor } from './redact.js'
import { ANNOTATION_TEXT_LIMIT, OUTPUT_TEXT_LIMIT, oneLine, truncate } from './sanitize.js'
import type { Settings } from './settings.js'
import { failedComponents, isKnownStatus } from './status.js'
import { renderMarkdown, renderText, summaryModel } from './summary.js'
import type { ApiResponse } from './toolforge-client.js'
import { withoutToolConfig, type Deployment, type ResponseMessages } from './toolforge-types.js'

/** GitHub shows 10 annotations of a kind per step; one error is the run's own failure. */
export const MAX_COMPONENT_ANNOTATIONS = 9
const MAX_UNKNOWN_STATUS_WARNINGS = 5

export interface ActionReporter extends DeployObserver {
  /** Outputs, annotations, job summary and the run's fate. */
  finish(outcome: DeployOutcome): Promise<void>
}

function deploymentOutput(deployment: Deployment): string {
  return JSON.stringify(withoutToolConfig(deployment), (_key, value: unknown) =>
    typeof value === 'string' ? truncate(value, OUTPUT_TEXT_LIMIT) : value
  )
}

/** The GitHub Actions face of a deployment: log lines, outputs, annotations, summary. */
export function createActionReporter(
  settings: Settings,
  log: ActionLog,
  redact: Redactor,
  now: () => number
): ActionReporter {
  const startedAt = now()
  const progress = new ProgressLog(startedAt)
  const shownMessages = new Set<string>()
  const warnedStatuses = new Set<string>()
  let deployIdSet = false
  let lastQueuedLine = -Infinity

  const setOutput = (name: string, value: string) => core.setOutput(name, redact(value))
  if (settings.deployId) {
    setOutput('deploy_id', settings.deployId)
    deployIdSet = true
  }
  const elapsed = () => `[${formatDuration(now() - startedAt)}]`

  function announceId(deployment: Deployment): void {
    if (deployIdSet) return
    deployIdSet = true
    setOutput('deploy_id', deployment.deploy_id)
  }

  function showMessages(messages: ResponseMessages): void {
    for (const [kind, texts] of Object.entries(messages)) {
      for (const text of texts as string[]) {
        const key = `${kind}:${text}`
        if (shownMessages.has(key)) continue
        shownMessages.add(key)
        log.info(`Toolforge ${kind === 'info' ? 'says' : kind}: ${oneLine(text)}`)
      }
    }
  }

  function observe(response: ApiResponse): void {
    const { deployment } = response
    announceId(deployment)
    showMessages(response.messages)
    log.debug(`status check: ${deploymentOutput(deployment)}`)
    const status = deployment.status
    if (!isKnownStatus(status) && !warnedStatuses.has(status) && warnedStatuses.size < MAX_UNKNOWN_STATUS_WARNINGS) {
      warnedStatuses.add(status)
      log.warning(`Toolforge reported a status this action does not know, "${oneLine(status, 100)}"; it is taken as not final and the action keeps waiting.`)
    }
    const line = progress.update(deployment, now()) ?? progress.heartbeat(now())
    if (line) log.info(line)
  }

  function retryLine(what: string, error: ApiError, attempt: number, delayMs: number): void {
    log.info(`${elapsed()} ${what} failed (${oneLine(error.message)}); trying again in ${formatDuration(delayMs)} (failure ${attempt} in a row)`)
  }

  return {
    created(response) {
      log.info(`Created deployment ${oneLine(response.deployment.deploy_id, 100)} of ${settings.tool}`)
      observe(response)
    },
    polled: observe,
    retrying(error, failures, delayMs) {
      retryLine('status check', error, failures, delayMs)
    },
    creationRetrying(error, attempt, delayMs) {
      retryLine('creating the deployment', error, attempt, delayMs)
    },
    queued(error, attempt, delayMs) {
      if (attempt === 1) {
        const said = error.toolforgeErrors.join('; ')
        log.notice(
          `Another deployment of ${settings.tool} is in progress on Toolforge${said ? ` (${said})` : ''}; this one will be created when it has finished (on-conflict: wait).`,
          { title: 'Queued behind another Toolforge deployment' }
        )
      } else if (now() - lastQueuedLine >= HEARTBEAT_MS) {
        log.info(`${elapsed()} still queued behind another deployment; next attempt in ${formatDuration(delayMs)}`)
      } else return
      lastQueuedLine = now()
    },
    async finish(outcome) {
      const deployment = outcome.deployment
      if (deployment) {
        announceId(deployment)
        setOutput('status', deployment.status)
        setOutput('long_status', truncate(deployment.long_status, OUTPUT_TEXT_LIMIT))
        setOutput('deployment', deploymentOutput(deployment))
      }
      setOutput('url', toolUrl(settings.tool))

      if (outcome.end === 'failed' && deployment) {
        const failed = failedComponents(deployment)
        const shown = failed.length > MAX_COMPONENT_ANNOTATIONS ? MAX_COMPONENT_ANNOTATIONS - 1 : failed.length
        for (const item of failed.slice(0, shown)) {
          log.error(item.reason || `the ${item.stage} failed without a reason`, {
            title: `Toolforge ${item.stage} failed: ${item.component}`
          })
        }
        const rest = failed.slice(shown)
        if (rest.length > 0) {
          log.error(`Also failed: ${rest.map((item) => `${item.stage} ${item.component}`).join(', ')}`, {
            title: `${rest.length} more Toolforge components failed`
          })
        }
      }
      if (outcome.end === 'no-wait' && deployment) {
        log.notice(`Deployment ${deployment.deploy_id} is ${deployment.status} on Toolforge; not waiting for it (wait: false).`)
      }

      const model = summaryModel(outcome, settings)
      if (process.env.GITHUB_STEP_SUMMARY) {
        try {
          await core.summary.addRaw(redact(renderMarkdown(model))).write()
        } catch (error) {
          log.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`)
          log.info(`\n${renderText(model)}`)
        }
      } else log.info(`\n${renderText(model)}`)
      if (model.problem) core.setFailed(oneLine(redact(model.problem), ANNOTATION_TEXT_LIMIT))
    }
  }
}
