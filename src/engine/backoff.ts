export interface Backoff {
  baseMs: number
  maxMs: number
}

/** Exponential backoff with full jitter: a random pause in [0, min(max, base·2^attempt)]. */
export function backoffDelay(policy: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(random() * ceiling)
}
