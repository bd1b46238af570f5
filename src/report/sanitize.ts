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

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text
  return `${text.slice(0, limit)}… [${text.length - limit} more characters]`
}

/**
 * One line with no control characters: it can never start a line of the log, so the
 * runner cannot take any part of it for a workflow command.
 */
export function oneLine(text: string, limit = LOG_TEXT_LIMIT): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ⏎ ').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
  return truncate(flat, limit)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/**
 * Text for a Markdown table cell or a prefixed line: no HTML, no inline Markdown, no
 * newlines. (Line-start syntax such as `#` cannot apply: callers never start a line with it.)
 */
export function markdownText(text: string, limit = SUMMARY_TEXT_LIMIT): string {
  return oneLine(text, limit)
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c]!)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
}

/**
 * Text as code: an HTML `<code>` element rather than a backtick span, so that every
 * character can be escaped (a code span shows entities literally) and a `|` cannot end a
 * table cell.
 */
export function markdownCode(text: string, limit = SUMMARY_TEXT_LIMIT): string {
  return `<code>${oneLine(text, limit).replace(/[&<>|`]/g, (c) => `&#${c.charCodeAt(0)};`)}</code>`
}

/** The deployment as JSON for outputs and debug logs: no tool_config, long texts shortened. */
export function deploymentJson(deployment: Deployment): string {
  return JSON.stringify(withoutToolConfig(deployment), (_key, value: unknown) =>
    typeof value === 'string' ? truncate(value, OUTPUT_TEXT_LIMIT) : value
  )
}
