import type { DeployOutcome } from '../engine/deploy.js'
import { stateWord, statusWord } from './words.js'
import { formatDuration } from '../settings/duration.js'
import type { Settings } from '../settings/settings.js'
import { componentRows, type ComponentRow } from './components.js'
import { commitLines } from './commits.js'
import { checkSummary, configVerdict, plainTimes, verdict, type Verdict, type Voice } from './outcome.js'
import type { TimelineModel } from './timeline.js'

/** The job summary as data, drawn as Markdown for GitHub or as text for a terminal. */
export interface Fact {
  label: string
  value: string
  code?: boolean
  link?: string
  /** An address of our own making inside the value (the CI run's), to show as a link. */
  linkWithin?: string
}

export interface SummaryModel {
  verdict: Verdict
  facts: Fact[]
  components: ComponentRow[]
  /** Only when the action saw at least one component's build or run. */
  timeline?: TimelineModel
}

function statusFact(outcome: DeployOutcome, v: Verdict): Fact | undefined {
  const d = outcome.deployment
  if (!d) return undefined
  // Before the task starts, the server has said no status: the deployment was created.
  if (d.status === undefined) return { label: 'Status', value: 'created; Toolforge starts it in a moment' }
  // The title says it, and the long status is the problem, stated once below.
  if (v.problem !== undefined && (v.kind === 'failed' || v.kind === 'timed-out' || v.kind === 'cancelled'))
    return undefined
  const status = statusWord(d)
  // A failure's long status is the problem, stated once below.
  const long = v.problem === undefined && d.long_status ? ` (${plainTimes(d.long_status)})` : ''
  return { label: 'Status', value: `${status}${long}` }
}

const toolFact = (settings: Settings): Fact => ({ label: 'Tool', value: settings.tool, link: settings.toolAddress })

function configFacts(settings: Settings): Fact[] {
  const config = settings.config
  return config && config.errors.length === 0
    ? [{ label: 'Components config', value: `${config.file}: Toolforge would accept it` }]
    : []
}

/** The summary of a run that ended with the config check: refused, or all a dry run given no token had to check. */
export function configSummaryModel(settings: Settings): SummaryModel {
  const verdict = configVerdict(settings.config!)
  const facts: Fact[] = [toolFact(settings), ...configFacts(settings)]
  if (verdict.ok) facts.push({ label: 'Deploy token', value: 'not checked: none given' })
  return { verdict, facts, components: [] }
}

export function summaryModel(
  outcome: DeployOutcome,
  settings: Settings,
  voice: Voice,
  timeline?: TimelineModel
): SummaryModel {
  const d = outcome.deployment
  const v = verdict(outcome, settings, voice)
  const id = d?.deploy_id ?? settings.deployId
  const facts: Fact[] = [toolFact(settings)]
  // A dry run deploys nothing: no deployment, duration or description to tell of.
  if (settings.dryRun) {
    facts.push(...configFacts(settings))
    if (v.kind === 'token-accepted')
      facts.push({
        label: 'Deploy token',
        value: `Toolforge accepts the deploy token for ${settings.tool}; nothing was deployed`
      })
    return { verdict: v, facts, components: [] }
  }
  if (id) facts.push({ label: 'Deployment', value: id, code: true })
  const status = statusFact(outcome, v)
  if (status) facts.push(status)
  if (outcome.commits) for (const line of commitLines(outcome.commits)) facts.push({ label: 'Commit', value: line })
  const serving = checkSummary(outcome)
  if (serving && v.kind !== 'not-serving') facts.push({ label: 'Serving', value: serving })
  // Refused before any deployment existed: the reason and the next step say it all.
  if (!id && (v.kind === 'refused' || v.kind === 'bad-input')) return { verdict: v, facts, components: [] }
  let duration = formatDuration(outcome.endedAt - outcome.startedAt)
  if (outcome.queuedMs > 0)
    duration += `, of which ${formatDuration(outcome.queuedMs)} queued behind another deployment`
  facts.push({ label: 'Duration', value: duration })
  const description = d?.description ?? (settings.deployId ? '' : settings.description)
  if (description)
    facts.push({
      label: 'Description',
      value: description,
      ...(settings.runUrl && description.includes(settings.runUrl) ? { linkWithin: settings.runUrl } : {})
    })
  const outages = outageFact(outcome)
  if (outages) facts.push(outages)
  // Every deployment before the one shown, each failed for Toolforge's own reason.
  outcome.attempts.forEach((attempt, i) =>
    facts.push({
      label: `Attempt ${i + 1}`,
      value: `${attempt.deployId} ${stateWord('deployment', attempt.status)}: ${attempt.reason || 'no reason given'}`
    })
  )
  const flags = [d?.force_build && 'force-build', d?.force_run && 'force-run'].filter(Boolean).join(', ')
  if (flags) facts.push({ label: 'Options', value: flags })
  const components = componentRows(d, timeline)
  const seen = timeline && Object.values(timeline.components).some((c) => c.build || c.run || c.waiting)
  return { verdict: v, facts, components, ...(seen ? { timeline: withCheck(timeline, outcome) } : {}) }
}

/** How long Toolforge's API failed the status reads: "2 outages, 1m 40s in all (14 failed reads; the last: …)". */
function outageFact(outcome: DeployOutcome): Fact | undefined {
  const outages = outcome.outages
  if (outages.length === 0) return undefined
  const last = outages.at(-1)!
  const length = (o: (typeof outages)[number]) => (o.ongoing ? outcome.endedAt : o.endedAt) - o.startedAt
  const total = outages.reduce((sum, o) => sum + length(o), 0)
  const failures = outages.reduce((sum, o) => sum + o.failures, 0)
  const count = outages.length === 1 ? 'one outage' : `${outages.length} outages`
  return {
    label: 'API outages',
    value:
      `${count}, ${formatDuration(total)} in all (${failures} failed status ${failures === 1 ? 'read' : 'reads'}; ` +
      `the last: ${last.last})${last.ongoing ? '; still failing when the run ended' : ''}`
  }
}

/**
 * A run that went well, in one line: what, where, how long. "✔ mytool deployed
 * 20261128-100000-ovsnzek8wt in 3m08s → https://mytool.toolforge.org/".
 */
export function closingLine(model: SummaryModel, outcome: DeployOutcome, settings: Settings): string {
  const id = outcome.deployment?.deploy_id
  if (model.verdict.kind === 'successful' && id) {
    return (
      `✔ ${settings.tool} deployed ${id} in ${formatDuration(outcome.endedAt - outcome.startedAt)} → ` +
      `${settings.toolAddress}`
    )
  }
  if (model.verdict.kind === 'started' && id) {
    const what = settings.deployId ? `is ${statusWord(outcome.deployment!)} on Toolforge` : 'created on Toolforge'
    return `✔ ${settings.tool}: deployment ${id} ${what}; not waiting for it`
  }
  return `✔ ${model.verdict.title}`
}

/**
 * An interrupted run, for a terminal, where Ctrl-C wants the prompt back: what goes on
 * on Toolforge, and how to follow it, in one or two lines.
 */
export function interruptedLines(outcome: DeployOutcome, settings: Settings, voice: Voice): string[] {
  const d = outcome.deployment
  const id = d?.deploy_id ?? settings.deployId
  if (!id) return ['✖ Interrupted before a deployment was created']
  if (d && outcome.check)
    return [`✖ Interrupted while checking that ${settings.tool} serves; Toolforge had deployed ${id}`]
  // The command that follows it, on a line of its own to copy.
  return [`✖ Interrupted; ${id} continues on Toolforge${d ? ` (${statusWord(d)})` : ''}`, `  ${voice.follow(id)}`]
}

/** The serving check ran last, for as long as it took, until the run ended. */
function withCheck(timeline: TimelineModel, outcome: DeployOutcome): TimelineModel {
  const check = outcome.check
  if (!check || check.result === 'skipped') return timeline
  const endMs = outcome.endedAt - timeline.startedAt
  return {
    ...timeline,
    check: { span: { startMs: endMs - check.durationMs, endMs }, result: check.result }
  }
}
