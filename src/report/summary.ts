import type { DeployOutcome } from '../engine/deploy.js'
import { formatDuration } from '../settings/duration.js'
import { failureMessage, nextSteps, toolUrl, type NextStep } from './outcome.js'
import { markdownCode, markdownText, oneLine, truncate } from './sanitize.js'
import type { Settings } from '../settings/settings.js'
import { statusOf } from '../engine/status.js'
import type { Deployment } from '../engine/toolforge-types.js'

/** The job summary as data, so that it can be drawn as Markdown or for a terminal. */
export interface SummaryModel {
  ok: boolean
  title: string
  facts: Array<{ label: string; value: string; code?: boolean; link?: string }>
  problem: string | undefined
  components: ComponentRow[]
  nextSteps: NextStep[]
}

export interface ComponentRow {
  name: string
  build: string
  buildId: string
  image: string
  run: string
  details: string
}

/** Large tools have many components; past this many the table says how many it left out. */
export const MAX_COMPONENT_ROWS = 100

const TITLES: Record<DeployOutcome['end'], string> = {
  successful: 'Toolforge deployment successful',
  failed: 'Toolforge deployment failed',
  'no-wait': 'Toolforge deployment started',
  timeout: 'Stopped waiting for the Toolforge deployment',
  interrupted: 'Cancelled while following the Toolforge deployment',
  error: 'Toolforge deployment not followed'
}

function componentRows(deployment: Deployment | undefined): ComponentRow[] {
  if (!deployment) return []
  const names = [...new Set([...Object.keys(deployment.builds), ...Object.keys(deployment.runs)])].sort()
  return names.map((name) => {
    const build = deployment.builds[name]
    const run = deployment.runs[name]
    const details = [build?.build_long_status, run?.run_long_status].filter((text) => text).join(' / ')
    return {
      name,
      build: build?.build_status ?? '',
      buildId: build?.build_id ?? '',
      image: build?.build_image ?? '',
      run: run?.run_status ?? '',
      details
    }
  })
}

export function summaryModel(outcome: DeployOutcome, settings: Settings): SummaryModel {
  const d = outcome.deployment
  const id = d?.deploy_id ?? settings.deployId
  const facts: SummaryModel['facts'] = [{ label: 'Tool', value: settings.tool, link: toolUrl(settings.tool) }]
  if (id) facts.push({ label: 'Deployment', value: id, code: true })
  if (d) facts.push({ label: 'Status', value: d.long_status ? `${statusOf(d)}: ${d.long_status}` : statusOf(d) })
  let duration = formatDuration(outcome.endedAt - outcome.startedAt)
  if (outcome.queuedMs > 0) duration += `, of which ${formatDuration(outcome.queuedMs)} queued behind another deployment`
  facts.push({ label: 'Duration', value: duration })
  const description = d?.description ?? (settings.deployId ? '' : settings.description)
  if (description) facts.push({ label: 'Description', value: description })
  const flags = [d?.force_build && 'force-build', d?.force_run && 'force-run'].filter(Boolean).join(', ')
  if (flags) facts.push({ label: 'Options', value: flags })
  return {
    ok: outcome.end === 'successful' || outcome.end === 'no-wait',
    title: `${TITLES[outcome.end]}: ${settings.tool}`,
    facts,
    problem: failureMessage(outcome, settings),
    components: componentRows(d),
    nextSteps: nextSteps(outcome, settings)
  }
}

function stepMarkdown(step: NextStep): string {
  const text = markdownText(step.text)
  return step.command ? `- ${text}: ${markdownCode(step.command)}` : `- ${text}`
}

export function renderMarkdown(model: SummaryModel): string {
  const lines = [`## ${model.ok ? '✅' : '❌'} ${markdownText(model.title)}`, '', '| | |', '| --- | --- |']
  for (const fact of model.facts) {
    let value = fact.code ? markdownCode(fact.value) : markdownText(fact.value)
    if (fact.link) value = `[${value}](${fact.link})`
    lines.push(`| ${fact.label} | ${value} |`)
  }
  if (model.problem) lines.push('', `**Problem:** ${markdownText(model.problem)}`)
  if (model.components.length > 0) {
    lines.push('', '### Components', '', '| Component | Build | Build id | Image | Run | Details |', '| --- | --- | --- | --- | --- | --- |')
    for (const row of model.components.slice(0, MAX_COMPONENT_ROWS)) {
      const cells = [
        markdownText(row.name, 200),
        markdownText(row.build, 100),
        row.buildId ? markdownCode(row.buildId, 200) : '',
        row.image ? markdownCode(row.image, 300) : '',
        markdownText(row.run, 100),
        markdownText(row.details)
      ]
      lines.push(`| ${cells.join(' | ')} |`)
    }
    const hidden = model.components.length - MAX_COMPONENT_ROWS
    if (hidden > 0) lines.push('', `…and ${hidden} more components.`)
  }
  if (model.nextSteps.length > 0) lines.push('', '### What to do next', '', ...model.nextSteps.map(stepMarkdown))
  return `${lines.join('\n')}\n`
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd())
}

/** The same summary for a terminal or a plain log. */
export function renderText(model: SummaryModel): string {
  const lines = [`${model.ok ? '✔' : '✖'} ${oneLine(model.title)}`, '']
  const width = Math.max(...model.facts.map((fact) => fact.label.length))
  for (const fact of model.facts) lines.push(`  ${fact.label.padEnd(width)}  ${oneLine(fact.link ? `${fact.value} (${fact.link})` : fact.value)}`)
  if (model.problem) lines.push('', `  Problem: ${oneLine(model.problem)}`)
  if (model.components.length > 0) {
    const rows = [['Component', 'Build', 'Build id', 'Image', 'Run', 'Details']]
    for (const row of model.components.slice(0, MAX_COMPONENT_ROWS)) {
      rows.push([row.name, row.build, row.buildId, row.image, row.run, row.details].map((cell) => oneLine(truncate(cell, 300), 400)))
    }
    lines.push('', ...table(rows).map((line) => `  ${line}`))
  }
  if (model.nextSteps.length > 0) {
    lines.push('', '  What to do next:')
    for (const step of model.nextSteps) lines.push(`  - ${oneLine(step.text)}${step.command ? `: ${oneLine(step.command)}` : ''}`)
  }
  return `${lines.join('\n')}\n`
}
