import type { Deployment } from './toolforge-types.js'

/**
 * When the server's deployment task can change a deployment.
 *
 * Upstream's task checks every unfinished build, stores what changed, sleeps 2 s, and
 * again; when the last build is done it sleeps once more and then runs the components,
 * which takes a moment. So while builds are under way every change a client can see
 * happens on a tick, ticks come every 2 s plus the time of one pass over the builds, and
 * the final status follows the tick after the last build ends. A change seen between two
 * reads tells that a tick fell between them; the model keeps the narrowest such window
 * and the period's bounds, and predicts where later ticks fall. A check placed just after
 * a predicted tick sees everything that tick did, at once.
 */
export interface TickModel {
  /** Some tick fell in (lo, hi]. */
  lo: number
  hi: number
  /** Bounds of the time from one tick to the next. */
  minPeriod: number
  maxPeriod: number
}

/**
 * 2 s of sleep plus one pass over the builds: 2 004–2 013 ms on average per deployment on
 * upstream's server, busy with eight deployments and their observers.
 */
export const TICK_PERIOD = { minMs: 2_003, maxMs: 2_013 } as const

/** Where the k-th tick after the anchored one can fall. */
export function tickWindow(model: TickModel, k: number): { lo: number; hi: number } {
  return { lo: model.lo + k * model.minPeriod, hi: model.hi + k * model.maxPeriod }
}

/** A build status the task's pass over the builds can leave behind. */
const PASS_SOURCES = new Set(['pending', 'unknown', 'running'])
const PASS_RESULTS = new Set(['unknown', 'running', 'successful', 'failed'])

/** Whether `after` shows a change that only a tick of the task makes (a build's state moving on). */
export function changedOnTick(before: Deployment, after: Deployment): boolean {
  return Object.entries(after.builds).some(([name, build]) => {
    const old = before.builds[name]?.build_status
    return old !== undefined && old !== build.build_status && PASS_SOURCES.has(old) && PASS_RESULTS.has(build.build_status)
  })
}

/**
 * Learns from a tick known to fall in (after, before]: the read before it was sent at
 * `sentBefore` (and showed the old state), the read after it came back at `receivedAfter`.
 * A window that fits no predicted tick means the model was wrong: it starts again.
 */
export function observeTick(model: TickModel | undefined, sentBefore: number, receivedAfter: number): TickModel {
  const fresh: TickModel = { lo: sentBefore, hi: receivedAfter, minPeriod: TICK_PERIOD.minMs, maxPeriod: TICK_PERIOD.maxMs }
  if (!model) return fresh
  const fits: Array<{ k: number; lo: number; hi: number }> = []
  const first = Math.max(0, Math.ceil((sentBefore - model.hi) / model.maxPeriod))
  for (let k = first; tickWindow(model, k).lo < receivedAfter; k++) {
    const window = tickWindow(model, k)
    const lo = Math.max(window.lo, sentBefore)
    const hi = Math.min(window.hi, receivedAfter)
    if (lo < hi) fits.push({ k, lo, hi })
  }
  // Reads more than a tick apart cannot tell which tick it was: nothing learnt.
  if (fits.length > 1) return model
  const fit = fits[0]
  if (!fit) return fresh
  if (fit.k === 0) return { ...model, lo: fit.lo, hi: fit.hi }
  // Never crossed: the fit lies inside the k-th window, so the bounds it gives stay within the model's.
  const minPeriod = Math.max(model.minPeriod, (fit.lo - model.hi) / fit.k)
  const maxPeriod = Math.min(model.maxPeriod, (fit.hi - model.lo) / fit.k)
  return { lo: fit.lo, hi: fit.hi, minPeriod, maxPeriod }
}

/** The first predicted tick whose window closes at or after `time` (k for tickWindow). */
export function tickClosingAfter(model: TickModel, time: number): number {
  return Math.max(0, Math.ceil((time - model.hi) / model.maxPeriod))
}
