import { closeSync, constants, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs'

/**
 * Writes `text` to `path` as a regular file of this user's: a symbolic link found there (a
 * checkout can commit one) is replaced, never followed, so the text cannot land elsewhere.
 */
export function writeOwnFile(path: string, text: string): void {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(path)
  // O_NOFOLLOW: a link made between the check and the open fails the open instead.
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600)
  try {
    writeSync(fd, text)
  } finally {
    closeSync(fd)
  }
}
