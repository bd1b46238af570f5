import type { Clock } from '../../src/engine/clock.js'

/** Far more pauses than any deployment takes: a loop past this would never end. */
const MAX_SLEEPS = 100_000

/** A clock whose sleeps pass instantly, advancing virtual time. */
export class VirtualClock implements Clock {
  sleeps: number[] = []
  constructor(public time = 0) {}
  now = (): number => this.time
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return
    // Fails at once where a broken wait loop would spin in virtual time until killed.
    if (this.sleeps.length >= MAX_SLEEPS) throw new Error(`more than ${MAX_SLEEPS} sleeps: a loop that never ends`)
    this.sleeps.push(ms)
    this.time += Math.max(0, ms)
  }
}
