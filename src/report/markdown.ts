import { formatDuration } from '../settings/duration.js'
import type { ComponentRow, RichText } from './components.js'
import { CHECK_WORDS, stateWord } from './words.js'
import type { NextStep } from './outcome.js'
import { LONGEST_UNBROKEN_NARROW, markdownCode, markdownText } from './sanitize.js'
import type { SummaryModel } from './summary.js'
import { timelineEnd, timelineRows, type TimelineModel } from './timeline.js'

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

const ICONS: Record<string, string> = {
  successful: '✅',
  failed: '❌',
  cancelled: '⛔',
  skipped: '⏭️',
  running: '⏳',
  unknown: '⏳',
  pending: '⏳'
}

function rich(text: RichText, place: 'cell' | 'line'): string {
  return text
    .map((part) =>
      part.code
        ? markdownCode(part.text, 300, place)
        : place === 'cell'
          ? narrow(part.text, 400)
          : markdownText(part.text, 400)
    )
    .join('')
}

/** Text for a cell of the components table, one of five columns. */
const narrow = (text: string, limit: number) => markdownText(text, limit, LONGEST_UNBROKEN_NARROW)

/** No-break spaces: a narrow column wraps between cells' lines, not inside "✅ successful, 2s". */
const NBSP = '\u00a0'

function stateCell(stage: 'build' | 'run', state: string, ms: number | undefined, extra?: string): string {
  const icon = ICONS[state] ?? '❔'
  const time = ms !== undefined && ms > 0 ? `,${NBSP}${formatDuration(ms)}` : ''
  const words = markdownText(stateWord(stage, state), 40).replace(/ /g, NBSP)
  return `${icon}${NBSP}${words}${time}${extra ? `<br>${extra}` : ''}`
}

/** The digest on a line of its own: together they would be the widest thing in the table. */
function imageCell(image: string): string {
  const at = image.indexOf('@')
  return at > 0
    ? `${markdownCode(image.slice(0, at), 80)}<br>${markdownCode(image.slice(at), 80)}`
    : markdownCode(image, 80)
}

function componentRow(row: ComponentRow, notes: 'shown' | 'folded' | 'no column'): string {
  const buildExtra = [
    row.build.reused ? narrow(row.build.reused, 100) : undefined,
    row.build.id ? markdownCode(row.build.id, 120) : undefined
  ]
    .filter(Boolean)
    .join('<br>')
  const cells = [
    narrow(row.name, 100),
    stateCell('build', row.build.state, row.build.ms, buildExtra || undefined),
    stateCell('run', row.run.state, row.run.ms),
    row.image ? imageCell(row.image.short) : '—'
  ]
  if (notes !== 'no column')
    cells.push(notes === 'shown' ? row.notes.map((note) => rich(note, 'cell')).join('<br>') : '')
  return `| ${cells.join(' | ')} |`
}

function failed(row: ComponentRow): boolean {
  return row.build.state === 'failed' || row.run.state === 'failed'
}

function componentsSection(rows: ComponentRow[]): string[] {
  if (rows.length === 0) return []
  const failures = rows.filter(failed)
  const unfolded = new Set(failures.slice(0, UNFOLDED_FAILURES).map((row) => row.name))
  // Toolforge often says nothing of each component (a build failure is told once, for the deployment).
  const said = rows.some((row) => row.notes.length > 0)
  const lines = [
    '',
    '### Components',
    '',
    `| Component | Build | Run | Image |${said ? ' Toolforge says |' : ''}`,
    `| :-- | :-- | :-- | :-- |${said ? ' :-- |' : ''}`
  ]
  for (const row of rows)
    lines.push(componentRow(row, !said ? 'no column' : !failed(row) || unfolded.has(row.name) ? 'shown' : 'folded'))
  const folded = failures.filter((row) => !unfolded.has(row.name) && row.notes.length > 0)
  if (folded.length > 0) {
    const others = folded.length === 1 ? 'the other failed component' : `the other ${folded.length} failed components`
    lines.push('', `<details><summary>What Toolforge says of ${others}</summary>`, '')
    for (const row of folded)
      lines.push(`- ${markdownText(row.name, 100)}: ${row.notes.map((note) => rich(note, 'line')).join(' · ')}`)
    lines.push('', '</details>')
  }
  // Only references shortened for the table need their full form.
  const images = rows.filter((row) => row.image?.short.endsWith('…'))
  if (images.length > 0) {
    lines.push('', '<details><summary>Full image references</summary>', '')
    for (const row of images)
      lines.push(`- ${markdownText(row.name, 100)}: ${markdownCode(row.image!.full, 300, 'line')}`)
    lines.push('', '</details>')
  }
  return lines
}

/** A name Mermaid reads as plain text: no syntax of its own, no markup. */
export function mermaidText(text: string): string {
  return text.replace(/[^A-Za-z0-9 ._-]/g, '_').slice(0, 40) || '_'
}

/** Axis steps a chart may use, in milliseconds, and their names in Mermaid. */
const TICKS: [number, string][] = [
  [1_000, '1second'],
  [2_000, '2second'],
  [5_000, '5second'],
  [10_000, '10second'],
  [15_000, '15second'],
  [30_000, '30second'],
  [60_000, '1minute'],
  [120_000, '2minute'],
  [300_000, '5minute'],
  [600_000, '10minute'],
  [900_000, '15minute'],
  [1_800_000, '30minute'],
  [3_600_000, '1hour']
]
/** Enough marks on the axis to read a time off it, few enough to read them at all. */
const MAX_TICKS = 8

/** The axis step for a chart this long: the smallest that keeps at most MAX_TICKS marks. */
export function tickInterval(durationMs: number): string {
  return (TICKS.find(([step]) => durationMs / step <= MAX_TICKS) ?? TICKS.at(-1)!)[1]
}

/**
 * A time as UTC's wall clock, with no zone: Mermaid reads a zoneless time as the reader's
 * local time and draws it as it reads it, so the axis shows UTC in every time zone, as
 * the Status row and Toolforge do. (Epoch times would show each reader's local time.)
 */
export function utcWallClock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 23).replace('T', ' ')
}

/** The timeline as a Mermaid gantt chart, its axis in UTC. */
export function mermaidGantt(timeline: TimelineModel): string[] {
  const lines = [
    '```mermaid',
    'gantt',
    '    dateFormat YYYY-MM-DD HH:mm:ss.SSS',
    '    axisFormat %H:%M:%S',
    `    tickInterval ${tickInterval(timelineEnd(timeline))}`
  ]
  let n = 0
  const at = (ms: number) => utcWallClock(Math.round(timeline.startedAt + ms))
  // `crit` is Mermaid's red: what failed stands out.
  const task = (label: string, span: { startMs: number; endMs: number }, failed = false) => {
    n += 1
    lines.push(
      `    ${label} :${failed ? 'crit, ' : ''}t${n}, ${at(span.startMs)}, ${at(Math.max(span.endMs, span.startMs + 1))}`
    )
  }
  if (timeline.queued) {
    lines.push('    section queued')
    task('behind another deployment', timeline.queued)
  }
  for (const [name, times] of timelineRows(timeline)) {
    lines.push(`    section ${mermaidText(name)}`)
    if (times.waiting) task(stateWord('build', 'unknown'), times.waiting)
    if (times.build) task('build', times.build, times.failed === 'build')
    if (times.run) task('run', times.run, times.failed === 'run')
  }
  if (timeline.check) {
    lines.push('    section serving check')
    task(CHECK_WORDS[timeline.check.result], timeline.check.span, timeline.check.result === 'failed')
  }
  lines.push('```')
  return lines
}

function step(item: NextStep): string {
  const text = markdownText(item.text)
  if (item.link) return `- [${text}](${item.link})`
  return item.command ? `- ${text}: ${markdownCode(item.command, undefined, 'line')}` : `- ${text}`
}

/**
 * A text with one address of our own in it as a link. The address is shown whole, and
 * may break only after a `/`: before, server text around it would put a break after
 * `https`. The text around it is made inert as any other.
 */
export function textWithLink(text: string, url: string): string {
  const at = text.indexOf(url)
  const shown = url.replace(/[\\`*_[\]|~<>&]/g, (c) => `\\${c}`).replace(/(?<=[^/:])\/(?=[^/])/g, '/<wbr>')
  const around = (part: string) => (part ? markdownText(part) : '')
  return `${around(text.slice(0, at))}[${shown}](${url})${around(text.slice(at + url.length))}`
}

export function renderMarkdown(model: SummaryModel): string {
  const { verdict } = model
  const lines = [`## ${verdict.ok ? '✅' : '❌'} ${markdownText(verdict.title)}`, '']
  // The first fact is the table's header row: a key/value table with no empty header bar.
  model.facts.forEach((fact, i) => {
    let value = fact.code ? markdownCode(fact.value) : markdownText(fact.value)
    if (fact.link) value = `[${value}](${fact.link})`
    else if (fact.linkWithin) value = textWithLink(fact.value, fact.linkWithin)
    lines.push(`| ${markdownText(fact.label)} | ${value} |`)
    if (i === 0) lines.push('| :-- | :-- |')
  })
  if (verdict.problem) lines.push('', `**Problem:** ${markdownText(verdict.problem, PROBLEM_LIMIT)}`)
  lines.push(...componentsSection(model.components))
  if (model.timeline) {
    const precision =
      model.timeline.precisionMs > 0
        ? `, each up to ${formatDuration(model.timeline.precisionMs)} after it happened`
        : ''
    lines.push(
      '',
      '### Timeline',
      '',
      ...mermaidGantt(model.timeline),
      '',
      `<sub>Times in UTC, as the action saw them${precision}.</sub>`
    )
  }
  if (verdict.nextSteps.length > 0) lines.push('', '### What to do next', '', ...verdict.nextSteps.map(step))
  return `${lines.join('\n')}\n`
}
