/** Where the command writes: stdout and stderr, with what they are (a terminal, its width). */
export interface Terminal {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
  err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }
}
