import type { Clock } from '../src/engine/clock.js'

/** A clock whose sleeps pass instantly, advancing virtual time. */
export class VirtualClock implements Clock {
  sleeps: number[] = []
  constructor(public time = 0) {}
  now = (): number => this.time
  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return
    this.sleeps.push(ms)
    this.time += Math.max(0, ms)
  }
}
