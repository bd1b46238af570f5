import { describe, expect, test } from '@jest/globals'
import {
  aimingPace,
  changedOnTick,
  FIRST_GUESS,
  observeTick,
  PASS_PRIOR,
  STRAY_STEP_MS,
  tickClosingAfter,
  tickWindow,
  type TickModel
} from '../../src/engine/server-ticks.js'
import { deployment } from '../../dev/fixtures/deployments.js'
import { seededRandom } from '../../dev/simulator/random.js'

const model = (lo: number, hi: number, minPeriod: number, maxPeriod: number, strayMs = 0): TickModel => ({
  lo,
  hi,
  minPeriod,
  maxPeriod,
  strayMs,
  base: { lo, hi, passes: 0 }
})

describe('the server-tick model', () => {
  test('a first change anchors a tick between the two reads; the sure bounds are the whole plausible range', () => {
    expect(PASS_PRIOR).toEqual({ minMs: 2_000, maxMs: 3_500 })
    expect(observeTick(undefined, 100, 400)).toEqual(model(100, 400, 2_000, 3_500))
  })

  test('it aims with the pace measured on upstream’s server while the sure bounds allow it, else with the bounds', () => {
    expect(FIRST_GUESS).toEqual({ minMs: 2_003, maxMs: 2_012 })
    expect(tickWindow(model(100, 400, 2_000, 3_500), 2)).toEqual({ lo: 4_106, hi: 4_424 })
    expect(tickWindow(model(100, 400, 2_010, 2_300), 2)).toEqual({ lo: 4_120, hi: 4_424 })
    expect(tickWindow(model(100, 400, 2_200, 2_300), 2)).toEqual({ lo: 4_500, hi: 5_000 })
  })

  test('a change between reads of the same tick narrows the window', () => {
    expect(observeTick(model(1_000, 1_500, 2_000, 2_015), 1_200, 1_900)).toEqual({
      ...model(1_000, 1_500, 2_000, 2_015),
      lo: 1_200,
      hi: 1_500
    })
  })

  test('each tick that only one window fits narrows the sure bounds, the more precisely the further from the first of the chain', () => {
    const first = observeTick(undefined, 0, 400)
    const second = observeTick(first, 2_100, 2_300)
    expect(second).toEqual({
      lo: 2_100,
      hi: 2_300,
      minPeriod: 2_000,
      maxPeriod: 2_300,
      strayMs: 0,
      base: { lo: 0, hi: 400, passes: 1 }
    })
    const third = observeTick(second, 4_150, 4_250)
    expect(third).toMatchObject({ lo: 4_150, hi: 4_250, minPeriod: 2_000, maxPeriod: 2_125, base: { passes: 2 } })
    // Nine passes on, (22 150, 22 250]; nine more and ten, (42 200, 42 220]: 21 passes from (0, 400].
    const fourth = observeTick(observeTick(third, 22_150, 22_250), 42_200, 42_220)
    expect(fourth).toMatchObject({ lo: 42_200, hi: 42_220, minPeriod: 2_000, maxPeriod: 2_007, base: { passes: 21 } })
  })

  test('a period known exactly stays known when a later tick agrees with it', () => {
    // The anchor keeps a margin of a stray step around where the bounds put the tick.
    expect(observeTick(model(0, 10, 2_010, 2_010), 2_005, 2_060)).toMatchObject({
      lo: 2_005,
      hi: 2_020 + STRAY_STEP_MS,
      minPeriod: 2_010,
      maxPeriod: 2_010
    })
  })

  test('a tick outside every window widens the model to cover what it implies, instead of starting over', () => {
    // Sure of 2.003–2.013 s passes, the next tick is seen in (2 500, 2 600]: it implies 2.2–2.4 s.
    const widened = observeTick(model(200, 300, 2_003, 2_013), 2_500, 2_600)
    expect(widened).toEqual({ ...model(2_500, 2_600, 2_003, 2_400, STRAY_STEP_MS), guessRefuted: true })
    // The guess could not place that tick either: aims use the sure bounds from then on.
    expect(tickWindow(widened, 1)).toEqual({
      lo: 2_500 + 2_003 - STRAY_STEP_MS,
      hi: 2_600 + 2_400 + STRAY_STEP_MS
    })
    // The bounds never leave the plausible range: (3 700, 3 800] would imply passes of 1.8–1.9 s.
    expect(observeTick(model(0, 100, 2_000, 2_010), 3_700, 3_800)).toMatchObject({ minPeriod: 2_000, maxPeriod: 2_010 })
  })

  test('reads too far apart to tell which tick teach no pace; a narrower window still becomes the anchor', () => {
    const known = model(1_000, 1_200, 2_000, 2_015)
    expect(observeTick(known, 1_300, 7_000)).toBe(known)
    const vague = model(0, 900, 2_000, 3_000)
    // ...and falling between the windows of the guessed pace (8 012–8 948, 10 015–10 960), it refutes the guess.
    expect(observeTick(vague, 9_000, 9_100)).toEqual({
      ...vague,
      lo: 9_000,
      hi: 9_100,
      base: { lo: 9_000, hi: 9_100, passes: 0 },
      guessRefuted: true
    })
  })

  test('a tick the sure bounds allow but the guessed pace cannot place refutes the guess: aims use the sure bounds from then on', () => {
    // Anchored at 0–100 ms; passes of 2.3 s (services answering in 150 ms) put the next tick at 2.3–2.4 s.
    const anchored = model(0, 100, 2_000, 3_500)
    const slow = observeTick(anchored, 2_250, 2_450)
    expect(slow.guessRefuted).toBe(true)
    expect(aimingPace(slow)).toEqual({ min: slow.minPeriod, max: slow.maxPeriod })
    // Where the guess puts it (2 003–2 112 ms), the guess stands.
    const quick = observeTick(anchored, 1_950, 2_080)
    expect(quick.guessRefuted).toBeUndefined()
    expect(aimingPace(quick)).toEqual({ min: FIRST_GUESS.minMs, max: FIRST_GUESS.maxMs })
    // Once refuted, it stays refuted.
    expect(observeTick(slow, 4_600, 4_700).guessRefuted).toBe(true)
  })

  test('expected windows widen with the period’s uncertainty and with the square root of the passes’ stray', () => {
    const known = model(1_000, 1_200, 2_100, 2_115)
    expect(tickWindow(known, 10)).toEqual({ lo: 22_000, hi: 22_350 })
    expect(tickWindow({ ...known, strayMs: 50 }, 4)).toEqual({ lo: 9_400 - 100, hi: 9_660 + 100 })
    expect(tickClosingAfter(known, 22_350)).toBe(10)
    expect(tickClosingAfter(known, 22_351)).toBe(11)
    expect(tickClosingAfter(known, 0)).toBe(0)
  })

  test('only a build moving on is a tick’s doing', () => {
    const before = deployment('running', { web: 'unknown', cron: 'pending' }, { web: 'pending' })
    expect(changedOnTick(before, deployment('running', { web: 'running', cron: 'pending' }))).toBe(true)
    expect(changedOnTick(before, deployment('running', { web: 'unknown', cron: 'skipped' }))).toBe(false)
    expect(changedOnTick(before, deployment('successful', { web: 'unknown', cron: 'pending' }))).toBe(false)
    expect(changedOnTick(deployment('running', {}), deployment('running', { web: 'unknown' }))).toBe(false)
    expect(changedOnTick(deployment('running', { web: 'running' }), deployment('running', { web: 'failed' }))).toBe(
      true
    )
    expect(changedOnTick(deployment('running', { web: 'running' }), deployment('running', { web: 'successful' }))).toBe(
      true
    )
    expect(changedOnTick(deployment('running', { web: 'pending' }), deployment('running', { web: 'unknown' }))).toBe(
      true
    )
    expect(changedOnTick(deployment('running', { web: 'running' }), deployment('running', { web: 'cancelled' }))).toBe(
      false
    )
  })
})

/**
 * A server whose passes take `periodMs` on average (each varied by up to `jitterMs`, and
 * from `changeAt` on, `laterPeriodMs`), read by a client every `readEveryMs` whose
 * pauses overrun by up to `busyMs`. Every tick changes what a read shows, as a pass that
 * moves a build on does; the model sees each change between the two reads around it.
 * Returns how many of the model's predictions of the next tick held, and how wide the
 * last ones were.
 */
function learn(
  server: { periodMs: number; jitterMs?: number; changeAt?: number; laterPeriodMs?: number },
  client: { readEveryMs: number; busyMs?: number },
  seed = 7
) {
  const random = seededRandom(seed)
  const ticks: number[] = [150]
  while (ticks.at(-1)! < 120_000) {
    const at = ticks.at(-1)!
    const period = server.changeAt !== undefined && at >= server.changeAt ? server.laterPeriodMs! : server.periodMs
    ticks.push(at + period + (random() * 2 - 1) * (server.jitterMs ?? 0))
  }
  let model: TickModel | undefined
  let sent = 0
  let held = 0
  let predictions = 0
  const spreads: number[] = []
  for (let read = 0; read < 400; read++) {
    const next = sent + client.readEveryMs + random() * (client.busyMs ?? 0)
    const before = ticks.filter((t) => t <= sent).length
    const after = ticks.filter((t) => t <= next).length
    // Only a read that spans exactly one tick pins it down; more than one is told apart as one change.
    if (after > before) {
      if (model) {
        const window = tickWindow(model, tickClosingAfter(model, sent))
        const tick = ticks[before]!
        predictions += 1
        if (tick >= window.lo && tick <= window.hi) held += 1
        spreads.push(window.hi - window.lo)
      }
      model = observeTick(model, sent, next)
    }
    sent = next
  }
  return { held: held / predictions, lastSpreads: spreads.slice(-20), model: model! }
}

describe('the model learns the server’s pace', () => {
  test.each([2_000, 2_300, 2_600, 3_000])(
    'steady passes of %i ms: after a few ticks every prediction holds, to within half a second',
    (periodMs) => {
      // Reads every 700 ms: a change is seen within 0.7 s of its tick.
      const { held, lastSpreads, model } = learn({ periodMs }, { readEveryMs: 700 })
      expect(held).toBeGreaterThan(0.9)
      expect(Math.max(...lastSpreads)).toBeLessThan(500)
      expect(model.minPeriod).toBeLessThanOrEqual(periodMs)
      expect(model.maxPeriod).toBeGreaterThanOrEqual(periodMs)
    }
  )

  test.each([2_300, 2_600, 3_000])(
    'passes of %i ms varying by ±150 ms: most predictions hold, within two seconds',
    (periodMs) => {
      const { held, lastSpreads, model } = learn({ periodMs, jitterMs: 150 }, { readEveryMs: 700 })
      expect(held).toBeGreaterThan(0.7)
      expect(Math.max(...lastSpreads)).toBeLessThan(2_000)
      // The passes' actual mean is within 1 % of the nominal one.
      expect(model.minPeriod).toBeLessThanOrEqual(periodMs * 1.01)
      expect(model.maxPeriod).toBeGreaterThanOrEqual(periodMs * 0.99)
    }
  )

  test('a pace that changes mid-deployment (a build done: one call less per pass) is learnt again', () => {
    const { held, lastSpreads, model } = learn(
      { periodMs: 2_600, changeAt: 40_000, laterPeriodMs: 2_300 },
      { readEveryMs: 700 }
    )
    expect(held).toBeGreaterThan(0.8)
    expect(model.minPeriod).toBeLessThanOrEqual(2_300)
    expect(model.maxPeriod).toBeGreaterThanOrEqual(2_300)
    expect(Math.max(...lastSpreads)).toBeLessThan(1_000)
  })

  test('a busy client, whose pauses overrun by up to half a second, still learns the pace', () => {
    const { held, model } = learn({ periodMs: 2_300, jitterMs: 50 }, { readEveryMs: 700, busyMs: 500 })
    expect(held).toBeGreaterThan(0.8)
    expect(model.minPeriod).toBeLessThanOrEqual(2_350)
    expect(model.maxPeriod).toBeGreaterThanOrEqual(2_250)
  })
})
