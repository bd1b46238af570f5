import * as core from '@actions/core'
import { LINE_ENDS } from '../engine/plain-text.js'
import type { Redactor } from '../engine/redact.js'
import { ANNOTATION_TEXT_LIMIT, oneLine } from '../report/sanitize.js'

export interface AnnotationOptions {
  title?: string
  /** A place in a file of the workspace: where the annotation shows in the diff. */
  file?: string
  line?: number
  column?: number
}

/** Everything the action prints passes through here: masked, and unable to issue commands. */
export interface ActionLog {
  info(text: string): void
  debug(text: string): void
  warning(text: string, options?: AnnotationOptions): void
  error(text: string, options?: AnnotationOptions): void
  notice(text: string, options?: AnnotationOptions): void
}

/**
 * One line for an annotation or the run's failure: masked before the cut, so that no
 * prefix of the token survives it, and after it, as every sink masks last.
 */
export function annotationText(redact: Redactor, text: string, limit = ANNOTATION_TEXT_LIMIT): string {
  return redact(oneLine(redact(text), limit))
}

/** A log line that the runner would take for a workflow command gets a harmless prefix. */
function inert(line: string): string {
  return /^\s*(::|##\[)/.test(line) ? `› ${line}` : line
}

export function createActionLog(redact: Redactor): ActionLog {
  const annotation = (text: string, options: AnnotationOptions = {}) => {
    const props: core.AnnotationProperties = {}
    if (options.title) props.title = annotationText(redact, options.title, 200)
    if (options.file)
      Object.assign(props, {
        file: annotationText(redact, options.file, 500),
        startLine: options.line,
        startColumn: options.column
      })
    return [annotationText(redact, text), props] as const
  }
  return {
    // Every line end the runner could act on (a bare CR too) starts a line of its own, made inert.
    info: (text) => core.info(redact(redact(text).split(LINE_ENDS).map(inert).join('\n'))),
    // core.debug escapes CR and LF; the other line ends become LF first, so that it does.
    debug: (text) => core.debug(redact(text.replace(LINE_ENDS, '\n'))),
    warning: (text, options) => core.warning(...annotation(text, options)),
    error: (text, options) => core.error(...annotation(text, options)),
    notice: (text, options) => core.notice(...annotation(text, options))
  }
}
