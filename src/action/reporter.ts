import * as core from '@actions/core'
import type { DeployOutcome } from '../engine/deploy.js'
import type { Redactor } from '../engine/redact.js'
import { failedComponents } from '../engine/status.js'
import type { Deployment } from '../engine/toolforge-types.js'
import { commitLines, commitNotices, workflowCommitWarning } from '../report/commits.js'
import { renderMarkdown } from '../report/markdown.js'
import { createNarrator, type Narrator } from '../report/narrator.js'
import { statusWord } from '../report/words.js'
import type { RunResult } from '../report/result.js'
import type { SummaryModel } from '../report/summary.js'
import { renderText } from '../report/text.js'
import type { Settings } from '../settings/settings.js'
import type { ActionLog } from './log.js'

/** GitHub shows 10 annotations of a kind per step; one error is the run's own failure. */
export const MAX_COMPONENT_ANNOTATIONS = 9

/** The action's words for its own options, in advice. */

export interface ActionReporter extends Narrator {
  /** What the deployment's end leaves in the log: its commit, its failed components' annotations. */
  finish(outcome: DeployOutcome): void
}

/** The job summary, or (without GITHUB_STEP_SUMMARY, on a developer's machine) the log. */
export async function writeSummary(model: SummaryModel, log: ActionLog, redact: Redactor): Promise<void> {
  if (process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(redact(renderMarkdown(model))).write()
      return
    } catch (error) {
      log.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  log.info(`\n${renderText(model)}`)
}

/** Every output of the result: each has a value, '' where the run has none. */
export function setOutputs(result: RunResult, redact: Redactor): void {
  for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, redact(value))
}

/** The GitHub Actions face of a deployment: log lines, outputs, annotations, summary. */
export function createActionReporter(
  settings: Settings,
  log: ActionLog,
  redact: Redactor,
  now: () => number
): ActionReporter {
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
    { onDeployment: announceId }
  )

  function annotateFailures(deployment: Deployment): void {
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

  return {
    ...narrator,
    finish(outcome) {
      const deployment = outcome.deployment
      if (outcome.commits) {
        for (const line of commitLines(outcome.commits)) log.info(`Commit: ${line}`)
        for (const notice of commitNotices(outcome.commits)) log.notice(notice, { title: 'Deployed commit not known' })
      }
      const otherThanWorkflow = workflowCommitWarning(outcome)
      if (otherThanWorkflow) log.warning(otherThanWorkflow, { title: 'Deployed another commit' })
      if (outcome.end === 'failed' && deployment) annotateFailures(deployment)
      if (outcome.end === 'token-accepted')
        log.info(`Toolforge accepts the deploy token for ${settings.tool}; nothing was deployed.`)
      if (outcome.end === 'no-wait' && deployment) {
        const what = settings.deployId ? `is ${statusWord(deployment)} on Toolforge` : 'was created on Toolforge'
        log.notice(`Deployment ${deployment.deploy_id} ${what}; not waiting for it (wait: false).`)
      }
    }
  }
}
