import { formatDuration } from '../settings/duration.js'
import { componentNames, type ComponentRow, type RichText } from './components.js'
import { CHECK_WORDS, stateWord } from './words.js'
import { chars, oneLine, shortWords } from './sanitize.js'
import type { SummaryModel } from './summary.js'
import { timelineEnd, timelineRows, type Span, type TimelineModel } from './timeline.js'

/**
 * The job summary for a terminal or a plain log, fitted to `width` columns: the
 * components table shortens its cells, and below STACK_BELOW columns, or when shortened
 * cells still do not fit, each component is a small block instead of a row. Every line
 * is one line of plain, printable text.
 */
const STACK_BELOW = 100
const DEFAULT_WIDTH = 120
const INDENT = '  '
/**
 * The table's narrowest "Toolforge says" column, and the widths the others are cut to, in turn, to leave it that much.
 */
const MIN_SAYS = 14
const CAPS = [24, 28, 22, 30]

/** What Toolforge says of one component, in the stacked view: a few lines at most. */
const NOTE_LIMIT = 300

const plain = (text: RichText) => text.map((part) => part.text).join('')

/**
 * Words laid out greedily, `gap` between them: every line starts with `lead`, and each after the first with `more` too.
 */
function pack(words: string[], gap: string, lead: string, more: string, width: number): string[] {
  const lines: string[] = []
  let current = `${lead}${words[0]}`
  for (const word of words.slice(1)) {
    if (chars(`${current}${gap}${word}`) <= width) current = `${current}${gap}${word}`
    else {
      lines.push(current)
      current = `${lead}${more}${word}`
    }
  }
  return [...lines, current]
}

/**
 * A line too long for the terminal, broken at spaces into lines that fit, each after the
 * first indented two more than the first: a terminal would break it mid-word.
 */
export function wrapLine(line: string, width: number): string[] {
  if (chars(line) <= width) return [line]
  const lead = /^ */.exec(line)![0]
  const more = `${lead}  `
  // A word longer than a line goes on in lines of its own, indented like the rest.
  const room = Math.max(1, width - more.length)
  return pack(line.slice(lead.length).split(' '), ' ', lead, '  ', width).flatMap((piece) => {
    const all = [...piece]
    const rest = all.slice(width)
    return [
      all.slice(0, width).join(''),
      ...Array.from(
        { length: Math.ceil(rest.length / room) },
        (_, i) => `${more}${rest.slice(i * room, (i + 1) * room).join('')}`
      )
    ]
  })
}

function fit(text: string, width: number): string {
  const line = oneLine(text)
  return chars(line) <= width ? line : `${[...line].slice(0, width - 1).join('')}…`
}

/** Like `fit`, but nothing is lost: the text in as many lines as it takes. */
const wrap = (text: string, width: number) => wrapLine(oneLine(text), width)

function state(stage: 'build' | 'run', name: string, ms: number | undefined): string {
  const words = stateWord(stage, name)
  return ms !== undefined && ms > 0 ? `${words} ${formatDuration(ms)}` : words
}

function buildText(row: ComponentRow, timed = true): string {
  return [state('build', row.build.state, timed ? row.build.ms : undefined), row.build.reused]
    .filter(Boolean)
    .join(', ')
}

/**
 * The components as a table, or nothing below STACK_BELOW columns or when even cut cells would leave Toolforge's words
 * too little room.
 */
function table(rows: ComponentRow[], width: number): string[] | undefined {
  if (width < STACK_BELOW) return undefined
  const header = ['Component', 'Build', 'Run', 'Image', 'Toolforge says']
  const cells = rows.map((row) =>
    [
      row.name,
      buildText(row),
      state('run', row.run.state, row.run.ms),
      row.image?.short ?? '—',
      row.notes.map(plain).join(' · ')
    ].map((cell) => oneLine(cell))
  )
  const all = [header, ...cells]
  const widths = header.map((_, column) => Math.max(...all.map((row) => chars(row[column]!))))
  // The last column takes what is left; the others are narrowed first when it is too little.
  const room = width - INDENT.length - 2 * (header.length - 1)
  const othersWidth = () => widths.slice(0, 4).reduce((a, b) => a + b, 0)
  for (const [column, cap] of CAPS.entries())
    if (othersWidth() + MIN_SAYS > room) widths[column] = Math.min(widths[column]!, cap)
  if (othersWidth() + MIN_SAYS > room) return undefined
  widths[4] = room - othersWidth()
  return all.map((row) =>
    (INDENT + row.map((cell, column) => fit(cell, widths[column]!).padEnd(widths[column]!)).join('  ')).trimEnd()
  )
}

/**
 * One line per component, "web: build failed 4s (build id) · run skipped", then
 * Toolforge's words on it; components that share their states and have nothing else to
 * say share a line. A build id that Toolforge's reason already names is not repeated.
 */
function stacked(rows: ComponentRow[], width: number, problem = ''): string[] {
  const ownId = (row: ComponentRow) => (row.build.id && !problem.includes(row.build.id) ? row.build.id : undefined)
  // A row with nothing of its own to say shares its line with the rows in the same states.
  const key = (row: ComponentRow) =>
    ownId(row) !== undefined || row.notes.length > 0
      ? row
      : `${buildText(row, false)}\n${state('run', row.run.state, undefined)}`
  const groups = new Map<ComponentRow | string, ComponentRow[]>()
  for (const row of rows) {
    const k = key(row)
    groups.set(k, [...(groups.get(k) ?? []), row])
  }
  const lines = [...groups.values()].flatMap((members) => {
    const row = members[0]!
    // A group's times only when they are the same for all.
    const timed = members.every((m) => m.build.ms === row.build.ms && m.run.ms === row.run.ms)
    const id = ownId(row)
    const names = componentNames(
      members.map((m) => m.name),
      rows.length
    )
    return [
      `${INDENT}${names}: build ${buildText(row, timed)}${id ? ` (${id})` : ''} · run ` +
        `${state('run', row.run.state, timed ? row.run.ms : undefined)}`,
      // Toolforge's reason is whole above; what it says of each component is kept short.
      ...row.notes.map((note) => `${INDENT}  ${shortWords(oneLine(plain(note), NOTE_LIMIT))}`)
    ]
  })
  return lines.flatMap((line) => wrap(line, width))
}

/**
 * The timeline as bars: `·` waiting for a build slot ("a slot", to fit 80 columns), `━` building, `▮` running, `✗`
 * where one failed, `○` checking that the tool serves.
 */
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
    lines.push(`${INDENT}${fit(name, label).padEnd(label)}  ${bar.join('')}${total}`.trimEnd())
  }
  for (const [name, times] of entries) {
    const built = times.build ? times.build.endMs - times.build.startMs : 0
    const total = built > 0 ? ` ${formatDuration(built)}` : ''
    // A failed build or run ends in ✗: drawn like the others, it would read as done.
    const failedAt = times.failed ? times[times.failed] : undefined
    const end: Span | undefined = failedAt && { startMs: failedAt.endMs, endMs: failedAt.endMs }
    row(
      name,
      [
        [times.waiting, '·'],
        [times.build, '━'],
        [times.run, '▮'],
        [end, '✗']
      ],
      total
    )
  }
  if (check) row('check', [[check.span, '○']], ` ${CHECK_WORDS[check.result]}`)
  const precision = timeline.precisionMs > 0 ? `, up to ${formatDuration(timeline.precisionMs)} late` : ''
  const failed = entries.some(([, times]) => times.failed)
  const legend = [
    `· ${stateWord('build', 'unknown')}`,
    '━ build',
    '▮ run',
    ...(failed ? ['✗ failed'] : []),
    ...(check ? ['○ check'] : []),
    `(times as seen${precision})`
  ]
  lines.push(...pack(legend, '  ', `${INDENT}${''.padEnd(label)}  `, '', width))
  return lines.map((line) => fit(line, width))
}

/**
 * What a run that went well still has to tell beyond its closing line: the commit and
 * what was checked before sending. The serving check's answer is in the log just above.
 */
const BRIEF_FACTS = new Set(['Commit', 'Components config', 'Deploy token'])

/**
 * The summary of a run that went well, for a terminal: the facts a reader acts on, then
 * the closing line, last, where the eye lands. The tables are for --verbose.
 */
export function renderBrief(model: SummaryModel, closing: string, width = DEFAULT_WIDTH): string {
  // Earlier attempts too: a green run that took Toolforge two tries says so.
  const facts = model.facts.filter((fact) => BRIEF_FACTS.has(fact.label) || fact.label.startsWith('Attempt '))
  const label = Math.max(0, ...facts.map((fact) => fact.label.length))
  const lines = facts.flatMap((fact) => wrap(`${INDENT}${fact.label.padEnd(label)}  ${fact.value}`, width))
  return `${[...lines, ...wrap(closing, width)].join('\n')}\n`
}

export function renderText(model: SummaryModel, width = DEFAULT_WIDTH): string {
  const { verdict } = model
  const lines = [fit(`${verdict.ok ? '✔' : '✖'} ${verdict.title}`, width), '']
  const label = Math.max(...model.facts.map((fact) => fact.label.length))
  for (const fact of model.facts) {
    lines.push(
      fit(`${INDENT}${fact.label.padEnd(label)}  ${fact.link ? `${fact.value} (${fact.link})` : fact.value}`, width)
    )
  }
  // Toolforge's reason whole, up to the log's limit for one text, in lines that fit.
  if (verdict.problem)
    lines.push(...(lines.at(-1) === '' ? [] : ['']), ...wrap(`${INDENT}Problem: ${shortWords(verdict.problem)}`, width))
  if (model.components.length > 0)
    lines.push('', ...(table(model.components, width) ?? stacked(model.components, width, verdict.problem)))
  if (model.timeline) {
    const bars = textTimeline(model.timeline, width)
    if (bars.length > 0) lines.push('', `${INDENT}Timeline`, ...bars)
  }
  if (verdict.nextSteps.length > 0) {
    lines.push('', `${INDENT}What to do next:`)
    for (const item of verdict.nextSteps) {
      lines.push(...wrap(`${INDENT}- ${item.text}${item.command ? `: ${item.command}` : ''}`, width))
      // An address is never broken: a terminal links it only whole.
      if (item.link) lines.push(`${INDENT}  ${item.link}`)
    }
  }
  return `${lines.join('\n')}\n`
}
