import * as core from '@actions/core'
import type { ActionLog } from './log.js'
import type { DeployObserver, DeployOutcome } from '../engine/deploy.js'
import { createNarrator } from '../report/narrator.js'
import { toolUrl } from '../report/outcome.js'
import type { Redactor } from '../engine/redact.js'
import { ANNOTATION_TEXT_LIMIT, deploymentJson, OUTPUT_TEXT_LIMIT, oneLine, truncate } from '../report/sanitize.js'
import type { Settings } from '../settings/settings.js'
import { failedComponents, statusOf } from '../engine/status.js'
import { renderMarkdown, renderText, summaryModel } from '../report/summary.js'
import type { Deployment } from '../engine/toolforge-types.js'

/** GitHub shows 10 annotations of a kind per step; one error is the run's own failure. */
export const MAX_COMPONENT_ANNOTATIONS = 9

export interface ActionReporter extends DeployObserver {
  /** Outputs, annotations, job summary and the run's fate. */
  finish(outcome: DeployOutcome): Promise<void>
}

/** The GitHub Actions face of a deployment: log lines, outputs, annotations, summary. */
export function createActionReporter(settings: Settings, log: ActionLog, redact: Redactor, now: () => number): ActionReporter {
  const setOutput = (name: string, value: string) => core.setOutput(name, redact(value))
  let idAnnounced = settings.deployId !== undefined
  if (settings.deployId) setOutput('deploy_id', settings.deployId)
  // The id is an output as soon as it exists, so that it survives any later failure.
  const announceId = (deployment: Deployment) => {
    if (idAnnounced) return
    idAnnounced = true
    setOutput('deploy_id', deployment.deploy_id)
  }
  const narrator = createNarrator(
    settings,
    {
      line: log.info,
      debug: log.debug,
      warning: (text, title) => log.warning(text, { title }),
      notice: (text, title) => log.notice(text, { title })
    },
    now,
    announceId
  )

  return {
    ...narrator,
    async finish(outcome) {
      const deployment = outcome.deployment
      if (deployment) {
        announceId(deployment)
        setOutput('status', statusOf(deployment))
        setOutput('long_status', truncate(deployment.long_status ?? '', OUTPUT_TEXT_LIMIT))
        setOutput('deployment', deploymentJson(deployment))
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
        log.notice(`Deployment ${deployment.deploy_id} is ${statusOf(deployment)} on Toolforge; not waiting for it (wait: false).`)
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
