import { flatLine } from '../engine/plain-text.js'
import { withoutToolConfig, type Deployment } from '../engine/toolforge-types.js'

/**
 * Text from Toolforge is untrusted: it may hold newlines, control characters or `::`
 * that the runner would read as workflow commands, HTML or Markdown that would reshape
 * the summary, or megabytes of text. These helpers make it safe for one place each.
 */

export const LOG_TEXT_LIMIT = 2_000
export const ANNOTATION_TEXT_LIMIT = 1_000
export const SUMMARY_TEXT_LIMIT = 1_000
export const OUTPUT_TEXT_LIMIT = 2_000
/**
 * The `deployment` output's size: GitHub keeps at most 1 MB of outputs per job, and the
 * other outputs take a few kilobytes at most.
 */
export const DEPLOYMENT_JSON_LIMIT = 256 * 1024
const SHORT_TEXT_LIMIT = 200

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text
  return `${text.slice(0, limit)}… [${text.length - limit} more characters]`
}

/**
 * Longer than any id, address or image reference Toolforge names: a word this long is
 * noise (or an attack on the reader's screen), and is cut.
 */
export const LONGEST_WORD = 160

/** A word (in characters, not UTF-16 units) longer than LONGEST_WORD. */
const TOO_LONG_WORD = new RegExp(`\\S{${LONGEST_WORD + 1},}`, 'gu')

/** The text with every word longer than LONGEST_WORD characters cut to that, ending in "…". */
export function shortWords(text: string): string {
  return text.replace(TOO_LONG_WORD, (word) => `${[...word].slice(0, LONGEST_WORD - 1).join('')}…`)
}

/** Length in characters, as a terminal shows them, not UTF-16 units. */
export const chars = (text: string) => [...text].length

/**
 * One line with no control characters: it can never start a line of the log, so the
 * runner cannot take any part of it for a workflow command.
 */
export function oneLine(text: string, limit = LOG_TEXT_LIMIT): string {
  return truncate(flatLine(text).replace(/\t/g, ' '), limit)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/**
 * Where a line may break, or where a link must not start: GitHub keeps the `<wbr>`
 * element, which shows nothing and copies as nothing, so every value in the text still
 * copies out exactly (a zero-width space would copy too, and break an id pasted into a
 * command).
 */
const BREAK = '<wbr>'

/**
 * Breaks what GitHub would turn into a link by itself (`https://…`, `www.…`, an e-mail
 * address) with a `<wbr>`: server text never becomes something to click.
 */
export function unlinked(text: string): string {
  return text
    .replace(/:\/\//g, `${BREAK}://`)
    .replace(/\b(www)\./gi, `$1${BREAK}.`)
    .replace(/@(?=[a-z0-9-]+\.[a-z0-9])/gi, `@${BREAK}`)
}

/**
 * Longer runs of text with no space would make a table wider than the page: a browser
 * sizes a column by its longest unbreakable run. A narrow cell is one of five columns
 * sharing about 900 pixels (the components table).
 */
export const LONGEST_UNBROKEN = 30
export const LONGEST_UNBROKEN_NARROW = 20

/** What shows as one character once escaped: an entity, a backslash escape, or a character. */
const SHOWN_AS_ONE = /&[a-z]+;|\\[\s\S]|[\s\S]/gu

/** A place to wrap every `longest` shown characters of a run with no space, never inside an escape. */
export function wrappable(escaped: string, longest = LONGEST_UNBROKEN): string {
  let out = ''
  let run = 0
  for (const [unit] of escaped.matchAll(SHOWN_AS_ONE)) {
    if (/\s/.test(unit)) run = 0
    else {
      if (run === longest) {
        out += BREAK
        run = 0
      }
      run += 1
    }
    out += unit
  }
  return out
}

/**
 * Text for a Markdown table cell or a prefixed line: no HTML but our `<wbr>`, no inline
 * Markdown, no links, no newlines, no run of text too long to wrap. (Line-start syntax
 * such as `#` cannot apply: callers never start a line with it.)
 */
export function markdownText(text: string, limit = SUMMARY_TEXT_LIMIT, longest = LONGEST_UNBROKEN): string {
  const escaped = shortWords(oneLine(text, limit))
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
  return unlinked(wrappable(escaped, longest))
}

/**
 * Text as code, copied out exactly: a backtick code span, inside which GitHub reads no
 * Markdown, HTML, entity or link (unlike an HTML `<code>` element, whose content is still
 * Markdown). Its fence is longer than any run of backticks inside; in a table cell, `\|`
 * keeps a `|` from ending the cell and shows as `|` (a `|` that a backslash already
 * escapes stays in the cell too, and shows without that backslash).
 */
export function markdownCode(text: string, limit = SUMMARY_TEXT_LIMIT, place: 'cell' | 'line' = 'cell'): string {
  const flat = oneLine(text, limit)
  if (flat.trim() === '') return ''
  // In a table, a run a browser cannot break is cut into code spans with a `<wbr>` between: it copies out whole.
  return (place === 'cell' ? breakable(flat) : [flat]).map((piece) => codeSpan(piece, place)).join(BREAK)
}

function codeSpan(text: string, place: 'cell' | 'line'): string {
  const content = place === 'cell' ? text.replace(/(?<!\\)((?:\\\\)*)\|/g, '$1\\|') : text
  const fence = '`'.repeat(Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length)) + 1)
  // One space each side is taken off again by the reader: needed when the content starts or ends with either.
  const pad = /^[` ]|[` ]$/.test(content) ? ' ' : ''
  return `${fence}${pad}${content}${pad}${fence}`
}

/** Code is narrower than text: a short image digest (`@sha256:` and 12 digits) stays whole. */
const LONGEST_UNBROKEN_CODE = 24

/**
 * The text in pieces, cut inside every run of LONGEST_UNBROKEN_CODE characters with nowhere to wrap (a space, `-` or
 * `/`).
 */
function breakable(text: string): string[] {
  const pieces = ['']
  let run = 0
  for (const char of text) {
    if (run === LONGEST_UNBROKEN_CODE && !/[\s/-]/.test(char)) {
      pieces.push('')
      run = 0
    }
    pieces[pieces.length - 1] += char
    run = /[\s/-]/.test(char) ? 0 : run + 1
  }
  return pieces
}

function shortened(deployment: Deployment, textLimit: number): string {
  return JSON.stringify(withoutToolConfig(deployment), (_key, value: unknown) =>
    typeof value === 'string' ? truncate(value, textLimit) : value
  )
}

/**
 * The deployment as JSON for outputs and debug logs: no tool_config, long texts
 * shortened, and never more than `maxBytes`: texts are cut shorter, then components
 * left out (counted in `components_left_out`).
 */
export function deploymentJson(deployment: Deployment, maxBytes = DEPLOYMENT_JSON_LIMIT): string {
  const fits = (json: string) => Buffer.byteLength(json) <= maxBytes
  for (const limit of [OUTPUT_TEXT_LIMIT, SHORT_TEXT_LIMIT]) {
    const json = shortened(deployment, limit)
    if (fits(json)) return json
  }
  const names = [...new Set([...Object.keys(deployment.builds), ...Object.keys(deployment.runs)])].sort()
  const keep = (count: number) => {
    const kept = new Set(names.slice(0, count))
    const pick = <T>(record: Record<string, T>) =>
      Object.fromEntries(Object.entries(record).filter(([name]) => kept.has(name)))
    const json = shortened(
      {
        ...deployment,
        long_status: deployment.long_status,
        builds: pick(deployment.builds),
        runs: pick(deployment.runs)
      },
      SHORT_TEXT_LIMIT
    )
    return `${json.slice(0, -1)},"components_left_out":${names.length - count}}`
  }
  let count = names.length
  while (count > 0 && !fits(keep(count))) count = Math.floor(count / 2)
  return keep(count)
}
