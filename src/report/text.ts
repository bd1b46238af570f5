import { formatDuration } from '../settings/duration.js'
import type { ComponentRow, RichText } from './components.js'
import { oneLine, truncate } from './sanitize.js'
import type { SummaryModel } from './summary.js'
import { timelineEnd, timelineRows, type Span, type TimelineModel } from './timeline.js'

/**
 * The job summary for a terminal or a plain log, fitted to `width` columns: the
 * components table shortens its cells, and below STACK_BELOW columns each component is
 * a small block instead of a row. Every line is one line of plain, printable text.
 */
export const STACK_BELOW = 100
const DEFAULT_WIDTH = 120
const INDENT = '  '

const plain = (text: RichText) => text.map((part) => part.text).join('')
const chars = (text: string) => [...text].length

/**
 * A line too long for the terminal, broken at spaces into lines that fit, each after the
 * first indented two more than the first: a terminal would break it mid-word.
 */
export function wrapLine(line: string, width: number): string[] {
  if (chars(line) <= width) return [line]
  const lead = /^ */.exec(line)![0]
  const lines: string[] = []
  let current = ''
  for (const word of line.slice(lead.length).split(' ')) {
    if (current === '') current = `${lead}${word}`
    else if (chars(`${current} ${word}`) <= width) current = `${current} ${word}`
    else {
      lines.push(current)
      current = `${lead}  ${word}`
    }
  }
  lines.push(current)
  // A word longer than a line is cut where the terminal would have cut it.
  return lines.flatMap((piece) => {
    const all = [...piece]
    return Array.from({ length: Math.ceil(all.length / width) }, (_, i) => all.slice(i * width, (i + 1) * width).join(''))
  })
}

function fit(text: string, width: number): string {
  const line = oneLine(text)
  return chars(line) <= width ? line : `${[...line].slice(0, Math.max(1, width - 1)).join('')}…`
}

function state(name: string, ms: number | undefined): string {
  return ms !== undefined && ms > 0 ? `${name} ${formatDuration(ms)}` : name
}

function buildText(row: ComponentRow): string {
  return [state(row.build.state, row.build.ms), row.build.reused].filter(Boolean).join(', ')
}

function table(rows: ComponentRow[], width: number): string[] {
  const header = ['Component', 'Build', 'Run', 'Image', 'Toolforge says']
  const cells = rows.map((row) => [row.name, buildText(row), state(row.run.state, row.run.ms), row.image?.short ?? '—', row.notes.map(plain).join(' · ')].map((cell) => oneLine(cell)))
  const all = [header, ...cells]
  const widths = header.map((_, column) => Math.max(...all.map((row) => chars(row[column]!))))
  // The last column takes what is left; the others are narrowed first when it is too little.
  const room = width - INDENT.length - 2 * (header.length - 1)
  const caps = [24, 28, 22, 30]
  for (let column = 0; column < 4 && widths.slice(0, 4).reduce((a, b) => a + b, 0) + 14 > room; column++) widths[column] = Math.min(widths[column]!, caps[column]!)
  widths[4] = Math.max(14, room - widths.slice(0, 4).reduce((a, b) => a + b, 0) - 0)
  return all.map((row) =>
    (INDENT + row.map((cell, column) => (column === 4 ? fit(cell, widths[4]!) : fit(cell, widths[column]!).padEnd(widths[column]!))).join('  ')).trimEnd()
  )
}

function stacked(rows: ComponentRow[], width: number): string[] {
  const lines: string[] = []
  for (const row of rows) {
    lines.push(fit(`${INDENT}${row.name}`, width))
    lines.push(fit(`${INDENT}  build: ${buildText(row)}${row.build.id ? ` (${row.build.id})` : ''}`, width))
    lines.push(fit(`${INDENT}  run:   ${state(row.run.state, row.run.ms)}`, width))
    if (row.image) lines.push(fit(`${INDENT}  image: ${row.image.short}`, width))
    for (const note of row.notes) lines.push(fit(`${INDENT}  ${plain(note)}`, width))
  }
  return lines
}

/** The timeline as bars: `·` waiting for a build slot ("a slot", to fit 80 columns), `━` building, `▮` running, `○` checking that the tool serves. */
export function textTimeline(timeline: TimelineModel, width: number): string[] {
  const entries = timelineRows(timeline)
  if (entries.length === 0) return []
  const check = timeline.check
  const end = Math.max(timelineEnd(timeline), 1)
  const label = Math.min(16, Math.max(...entries.map(([name]) => chars(name)), check ? 'check'.length : 0))
  const barWidth = Math.max(10, width - INDENT.length - label - 2 - 12)
  const at = (ms: number) => Math.min(barWidth - 1, Math.floor((ms / end) * barWidth))
  const lines = [`${INDENT}${''.padEnd(label)}  0${formatDuration(end).padStart(barWidth - 1)}`]
  const row = (name: string, spans: [Span | undefined, string][], total: string) => {
    const bar = Array.from({ length: barWidth }, () => ' ')
    for (const [span, mark] of spans) if (span) for (let i = at(span.startMs); i <= at(span.endMs); i++) bar[i] = mark
    lines.push(`${INDENT}${fit(name, label).padEnd(label)}  ${bar.join('')}${total}`)
  }
  for (const [name, times] of entries) {
    const built = times.build ? times.build.endMs - times.build.startMs : 0
    const total = built > 0 ? ` ${formatDuration(built)}` : ''
    row(name, [[times.waiting, '·'], [times.build, '━'], [times.run, '▮']], total)
  }
  if (check) row('check', [[check.span, '○']], check.passed ? ' serves' : ' not serving')
  const precision = timeline.precisionMs > 0 ? `, to within ${formatDuration(timeline.precisionMs)}` : ''
  lines.push(`${INDENT}${''.padEnd(label)}  · waiting for a slot  ━ build  ▮ run${check ? '  ○ check' : ''}  (as seen${precision})`)
  return lines.map((line) => fit(line, width))
}

export function renderText(model: SummaryModel, width = DEFAULT_WIDTH): string {
  const { verdict } = model
  const lines = [fit(`${verdict.ok ? '✔' : '✖'} ${verdict.title}`, width), '']
  const label = Math.max(...model.facts.map((fact) => fact.label.length))
  for (const fact of model.facts) {
    lines.push(fit(`${INDENT}${fact.label.padEnd(label)}  ${fact.link ? `${fact.value} (${fact.link})` : fact.value}`, width))
  }
  if (verdict.problem) lines.push('', fit(`${INDENT}Problem: ${truncate(verdict.problem, 2_000)}`, Math.max(width, 400)))
  if (model.components.length > 0) lines.push('', ...(width < STACK_BELOW ? stacked(model.components, width) : table(model.components, width)))
  if (model.timeline) {
    const bars = textTimeline(model.timeline, width)
    if (bars.length > 0) lines.push('', `${INDENT}Timeline`, ...bars)
  }
  if (verdict.nextSteps.length > 0) {
    lines.push('', `${INDENT}What to do next:`)
    for (const item of verdict.nextSteps) lines.push(`${INDENT}- ${oneLine(item.text)}${item.command ? `: ${oneLine(item.command)}` : ''}`)
  }
  return `${lines.join('\n')}\n`
}
