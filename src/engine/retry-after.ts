/** Longer requests to wait are capped: a misconfigured gateway must not park the job. */
const MAX_RETRY_AFTER_MS = 120_000

/** Reads a Retry-After header (delay-seconds or an HTTP date) as milliseconds from `now`. */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim()
  if (!value) return undefined
  let ms: number
  if (/^\d+$/.test(value)) ms = Number(value) * 1000
  else {
    // Every HTTP date form starts with the day's name.
    const date = /^[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN
    if (Number.isNaN(date)) return undefined
    ms = date - now
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS)
}
