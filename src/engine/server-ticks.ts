import type { Deployment } from './toolforge-types.js'

/**
 * When the server's deployment task can change a deployment.
 *
 * Upstream's task checks every unfinished build, stores what changed, sleeps 2 s, and
 * again; when the last build is done it sleeps once more and then runs the components.
 * So while builds are under way every change a client can see happens on a tick, and the
 * final status follows one pass after the last build ends. A pass is 2 s of sleep plus a
 * call to the builds service (and the storage) for each unfinished build: 2.004 s on a
 * quiet local server, longer and varying in production, where those calls cross the
 * network. The model learns the pace from what the client sees:
 *
 * - A change seen between two reads tells that a tick fell between them: (lo, hi].
 * - What is known for sure: the mean pass lies in [minPeriod, maxPeriod], first the whole
 *   plausible range PASS_PRIOR, narrowed by every tick that only one predicted window fits,
 *   both from the last tick seen and from the first of that unbroken chain (`base`), whose
 *   distance in passes makes the narrowing precise. Such sure bounds alone decide which
 *   tick a change was, so a wrong guess can never mislead the learning.
 * - Passes stray from the mean (a call takes longer, a busy host): `strayMs` is how far
 *   one pass may, and k passes stray by up to √k times that. It starts at zero and grows
 *   whenever a tick falls outside every window the sure bounds allow; the model then
 *   re-centres on that tick and widens the bounds to cover what it implies, rather than
 *   starting over.
 * - Where to look: the predicted window of the k-th tick after the anchored one is
 *   [lo + k·min − √k·stray, hi + k·max + √k·stray], with min and max the pace measured on
 *   upstream's server (FIRST_GUESS) for as long as the sure bounds allow it, else the sure
 *   bounds. A check placed just after it sees everything that tick did.
 */
export interface TickModel {
  /** Some tick fell in (lo, hi]. */
  lo: number
  hi: number
  /** Sure bounds of the mean time from one tick to the next. */
  minPeriod: number
  maxPeriod: number
  /** How far a single pass may stray from the mean. */
  strayMs: number
  /**
   * The first tick of the chain that led to (lo, hi], each told apart from the one before, and how many passes before
   * it.
   */
  base: { lo: number; hi: number; passes: number }
  /** A tick fell where the first guess of the pace could not put it: aim with the sure bounds only. */
  guessRefuted?: boolean
}

/** 2 s of sleep plus a pass over the builds: from a quiet local server up to a slow production one. */
export const PASS_PRIOR = { minMs: 2_000, maxMs: 3_500 } as const
/**
 * The pace first looked for: upstream's server measured here, 2 s plus a pass over two
 * builds, read from its build service's log with six deployments under way: 2 004–2 023 ms
 * a pass, 2 005–2 012 ms on average over a 20 s build, quiet or with every core busy.
 * (2 035 ms, measured once with six observers reading every 50 ms, was their load, not
 * the server's pace: aimed at it, every check came 22 ms a pass later than needed.)
 */
export const FIRST_GUESS = { minMs: 2_003, maxMs: 2_012 } as const
/** A tick outside every window lets each later pass stray this much more. */
export const STRAY_STEP_MS = 25

export interface Pace {
  min: number
  max: number
}

const GUESSED_PACE: Pace = { min: FIRST_GUESS.minMs, max: FIRST_GUESS.maxMs }

/** The pace to aim with: the first guess while the sure bounds allow it. */
export function aimingPace(model: TickModel): Pace {
  if (model.guessRefuted) return surePace(model)
  const min = Math.max(model.minPeriod, GUESSED_PACE.min)
  const max = Math.min(model.maxPeriod, GUESSED_PACE.max)
  return min <= max ? { min, max } : surePace(model)
}

const surePace = (model: TickModel): Pace => ({ min: model.minPeriod, max: model.maxPeriod })

function windowAt(model: TickModel, k: number, pace: Pace): { lo: number; hi: number } {
  const stray = model.strayMs * Math.sqrt(k)
  return { lo: model.lo + k * pace.min - stray, hi: model.hi + k * pace.max + stray }
}

function closingAfter(model: TickModel, time: number, pace: Pace): number {
  let k = Math.max(0, Math.floor((time - model.hi) / (pace.max + model.strayMs)))
  while (windowAt(model, k, pace).hi < time) k += 1
  return k
}

/** Where to expect the k-th tick after the anchored one. */
export function tickWindow(model: TickModel, k: number): { lo: number; hi: number } {
  return windowAt(model, k, aimingPace(model))
}

/** The first expected tick whose window closes at or after `time` (k for tickWindow). */
export function tickClosingAfter(model: TickModel, time: number): number {
  return closingAfter(model, time, aimingPace(model))
}

/** A build status the task's pass over the builds can leave behind. */
const PASS_SOURCES = new Set(['pending', 'unknown', 'running'])
const PASS_RESULTS = new Set(['unknown', 'running', 'successful', 'failed'])

/** Whether `after` shows a change that only a tick of the task makes (a build's state moving on). */
export function changedOnTick(before: Deployment, after: Deployment): boolean {
  return Object.entries(after.builds).some(([name, build]) => {
    const old = before.builds[name]?.build_status
    return (
      old !== undefined && old !== build.build_status && PASS_SOURCES.has(old) && PASS_RESULTS.has(build.build_status)
    )
  })
}

/** The ticks the sure bounds allow in (from, to], clipped to it. */
function fitting(model: TickModel, from: number, to: number): Array<{ k: number; lo: number; hi: number }> {
  const pace = surePace(model)
  const fits: Array<{ k: number; lo: number; hi: number }> = []
  for (let k = closingAfter(model, from, pace); windowAt(model, k, pace).lo < to; k++) {
    const window = windowAt(model, k, pace)
    const lo = Math.max(window.lo, from)
    const hi = Math.min(window.hi, to)
    if (lo < hi) fits.push({ k, lo, hi })
  }
  return fits
}

/**
 * Whether no tick the first guess allows, at any of the `candidates` passes after the
 * anchor, falls in `seen`: the services answer slower (or faster) than on a quiet local
 * server, and a check aimed by the guess would land before the pass it is meant to follow.
 */
function refutesGuess(model: TickModel, seen: { lo: number; hi: number }, candidates: number[]): boolean {
  return candidates.every((k) => {
    const window = windowAt(model, k, GUESSED_PACE)
    return window.hi < seen.lo || window.lo > seen.hi
  })
}

/** What a tick seen in `seen`, `passes` after one known to fall in `earlier`, tells of the mean pass. */
function evidence(
  earlier: { lo: number; hi: number },
  seen: { lo: number; hi: number },
  passes: number,
  strayMs: number
): Pace {
  const stray = strayMs * Math.sqrt(passes)
  return { min: (seen.lo - earlier.hi - stray) / passes, max: (seen.hi - earlier.lo + stray) / passes }
}

const within = (ms: number) => Math.min(PASS_PRIOR.maxMs, Math.max(PASS_PRIOR.minMs, ms))

/**
 * Learns from a tick known to fall in (sentBefore, receivedAfter]: the read before it was
 * sent at `sentBefore` (and showed the old state), the read after it came back at
 * `receivedAfter`.
 */
export function observeTick(model: TickModel | undefined, sentBefore: number, receivedAfter: number): TickModel {
  const seen = { lo: sentBefore, hi: receivedAfter }
  const fresh = { ...seen, base: { ...seen, passes: 0 } }
  if (!model) return { ...fresh, minPeriod: PASS_PRIOR.minMs, maxPeriod: PASS_PRIOR.maxMs, strayMs: 0 }
  const fits = fitting(model, sentBefore, receivedAfter)
  // Outside every window the sure bounds allow is outside the guess's too (widened).
  const candidates = fits.map((f) => f.k)
  if (!model.guessRefuted && candidates.length > 0 && refutesGuess(model, seen, candidates))
    model = { ...model, guessRefuted: true }
  if (fits.length > 1) {
    // Reads too far apart to tell which tick it was: nothing learnt of the pace, but a
    // window narrower than where the model expects the tick is the better anchor.
    const expected = tickWindow(model, fits[0]!.k)
    return seen.hi - seen.lo < expected.hi - expected.lo ? { ...model, ...fresh } : model
  }
  const fit = fits[0]
  if (!fit) return widened(model, seen)
  if (fit.k === 0) return { ...model, lo: fit.lo, hi: fit.hi }
  const passes = model.base.passes + fit.k
  const fromLast = evidence(model, seen, fit.k, model.strayMs)
  const fromBase = evidence(model.base, seen, passes, model.strayMs)
  const minPeriod = Math.max(model.minPeriod, fromLast.min, fromBase.min)
  const maxPeriod = Math.min(model.maxPeriod, fromLast.max, fromBase.max)
  if (minPeriod > maxPeriod) return widened(model, seen)
  const sure = { ...model, minPeriod, maxPeriod }
  // The anchor narrows to where the bounds allow the tick, short of a margin: a pass that
  // strayed a little more than allowed must not leave the anchor beside the true tick.
  const allowed = windowAt(sure, fit.k, surePace(sure))
  const margin = STRAY_STEP_MS + model.strayMs
  return {
    ...sure,
    lo: Math.max(allowed.lo - margin, sentBefore),
    hi: Math.min(allowed.hi + margin, receivedAfter),
    base: { ...model.base, passes }
  }
}

/**
 * A tick outside every window the sure bounds allow: the passes strayed further than the
 * model let them, or their pace changed. The nearest window is taken for the tick it
 * missed; the bounds grow to cover what that tick implies, each pass may stray a little
 * more, and the model re-centres on the tick rather than starting over.
 */
function widened(model: TickModel, seen: { lo: number; hi: number }): TickModel {
  const pace = surePace(model)
  const k = Math.max(1, Math.round((seen.hi - model.hi) / ((pace.min + pace.max) / 2)))
  const implied = evidence(model, seen, k, model.strayMs)
  return {
    ...seen,
    base: { ...seen, passes: 0 },
    minPeriod: within(Math.min(pace.min, implied.min)),
    maxPeriod: within(Math.max(pace.max, implied.max)),
    strayMs: model.strayMs + STRAY_STEP_MS,
    guessRefuted: true
  }
}
