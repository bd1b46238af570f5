import { formatDuration } from '../settings/duration.js'
import type { ComponentRow, RichText } from './components.js'
import type { NextStep } from './outcome.js'
import { markdownCode, markdownText } from './sanitize.js'
import type { SummaryModel } from './summary.js'
import { timelineRows, type TimelineModel } from './timeline.js'

/**
 * The job summary in GitHub-flavoured Markdown. Every text from Toolforge goes through
 * markdownText or markdownCode (no HTML, no Markdown, no links of its own making); the
 * timeline is a Mermaid gantt chart, which GitHub draws.
 */

/** With more failed components than this, the texts of the rest are folded away. */
export const UNFOLDED_FAILURES = 5
/**
 * Toolforge's reason can list every failed build; the table has them one per row and the
 * log has the reason whole, so the summary's statement stays a paragraph long.
 */
export const PROBLEM_LIMIT = 400

const ICONS: Record<string, string> = { successful: '✅', failed: '❌', cancelled: '⛔', skipped: '⏭️', running: '⏳', unknown: '⏳', pending: '⏳' }

function rich(text: RichText): string {
  return text.map((part) => (part.code ? markdownCode(part.text, 300) : markdownText(part.text, 400))).join('')
}

function stateCell(state: string, ms: number | undefined, extra?: string): string {
  const icon = ICONS[state] ?? '❔'
  const time = ms !== undefined && ms > 0 ? `, ${formatDuration(ms)}` : ''
  return `${icon} ${markdownText(state, 40)}${time}${extra ? `<br>${extra}` : ''}`
}

function componentRow(row: ComponentRow, withNotes: boolean): string {
  const buildExtra = [row.build.reused ? markdownText(row.build.reused, 100) : undefined, row.build.id ? markdownCode(row.build.id, 120) : undefined]
    .filter(Boolean)
    .join('<br>')
  const cells = [
    markdownText(row.name, 100),
    stateCell(row.build.state, row.build.ms, buildExtra || undefined),
    stateCell(row.run.state, row.run.ms),
    row.image ? markdownCode(row.image.short, 80) : '—',
    withNotes ? row.notes.map(rich).join('<br>') : ''
  ]
  return `| ${cells.join(' | ')} |`
}

function failed(row: ComponentRow): boolean {
  return row.build.state === 'failed' || row.run.state === 'failed'
}

function componentsSection(rows: ComponentRow[]): string[] {
  if (rows.length === 0) return []
  const failures = rows.filter(failed)
  const unfolded = new Set(failures.slice(0, UNFOLDED_FAILURES).map((row) => row.name))
  const fold = failures.length > UNFOLDED_FAILURES
  const lines = ['', '### Components', '', '| Component | Build | Run | Image | Toolforge says |', '| --- | --- | --- | --- | --- |']
  for (const row of rows) lines.push(componentRow(row, !fold || !failed(row) || unfolded.has(row.name)))
  const folded = failures.filter((row) => !unfolded.has(row.name) && row.notes.length > 0)
  if (folded.length > 0) {
    lines.push('', `<details><summary>What Toolforge says of the other ${folded.length} failed components</summary>`, '')
    for (const row of folded) lines.push(`- ${markdownText(row.name, 100)}: ${row.notes.map(rich).join(' · ')}`)
    lines.push('', '</details>')
  }
  // Only references shortened for the table need their full form.
  const images = rows.filter((row) => row.image?.short.endsWith('…'))
  if (images.length > 0) {
    lines.push('', '<details><summary>Full image references</summary>', '')
    for (const row of images) lines.push(`- ${markdownText(row.name, 100)}: ${markdownCode(row.image!.full, 300)}`)
    lines.push('', '</details>')
  }
  return lines
}

/** A name Mermaid reads as plain text: no syntax of its own, no markup. */
export function mermaidText(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 40) || '_'
}

/** The timeline as a Mermaid gantt chart; times are milliseconds, shown as minutes and seconds. */
export function mermaidGantt(timeline: TimelineModel): string[] {
  const long = timeline.observed.endMs >= 3_600_000
  const lines = ['```mermaid', 'gantt', '    dateFormat x', `    axisFormat ${long ? '%H:%M:%S' : '%M:%S'}`]
  let n = 0
  const task = (label: string, span: { startMs: number; endMs: number }) => {
    n += 1
    lines.push(`    ${label} :t${n}, ${Math.round(span.startMs)}, ${Math.round(Math.max(span.endMs, span.startMs + 1))}`)
  }
  if (timeline.queued) {
    lines.push('    section queued')
    task('behind another deployment', timeline.queued)
  }
  for (const [name, times] of timelineRows(timeline)) {
    lines.push(`    section ${mermaidText(name)}`)
    if (times.waiting) task('waiting for a build slot', times.waiting)
    if (times.build) task('build', times.build)
    if (times.run) task('run', times.run)
  }
  lines.push('```')
  return lines
}

function step(item: NextStep): string {
  const text = markdownText(item.text)
  return item.command ? `- ${text}: ${markdownCode(item.command)}` : `- ${text}`
}

export function renderMarkdown(model: SummaryModel): string {
  const { verdict } = model
  const lines = [`## ${verdict.ok ? '✅' : '❌'} ${markdownText(verdict.title)}`, '']
  // The first fact is the table's header row: a key/value table with no empty header bar.
  model.facts.forEach((fact, i) => {
    let value = fact.code ? markdownCode(fact.value) : markdownText(fact.value)
    if (fact.link) value = `[${value}](${fact.link})`
    lines.push(`| ${markdownText(fact.label)} | ${value} |`)
    if (i === 0) lines.push('| --- | --- |')
  })
  if (verdict.problem) lines.push('', `**Problem:** ${markdownText(verdict.problem, PROBLEM_LIMIT)}`)
  lines.push(...componentsSection(model.components))
  if (model.timeline) {
    const precision = model.timeline.precisionMs > 0 ? `, to within ${formatDuration(model.timeline.precisionMs)}` : ''
    lines.push('', '### Timeline', '', ...mermaidGantt(model.timeline), '', `<sub>As the action observed it${precision}.</sub>`)
  }
  if (verdict.nextSteps.length > 0) lines.push('', '### What to do next', '', ...verdict.nextSteps.map(step))
  return `${lines.join('\n')}\n`
}
