import { LINE_ENDS, withoutInvisible } from '../engine/plain-text.js'

/**
 * The command's last filter on all it writes, terminal or not: no escape sequence, bell,
 * C1 control or bidirectional override from any text, and every line end (a carriage
 * return, NEL, U+2028, U+2029) a plain one, so that nothing the
 * server chose is acted on by a terminal or read as a GitLab section marker. The command's
 * own colours and sections are added after it.
 */
export function inertForTerminal(text: string): string {
  return withoutInvisible(text.replace(LINE_ENDS, '\n'))
}

/** Where the command writes: stdout and stderr, with what they are (a terminal, its width). */
export interface Terminal {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
}
