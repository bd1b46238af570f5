import { describe, expect, test } from '@jest/globals'
import {
  AIMED_STEP_MS,
  BLIND_STEP_MS,
  BUILDING_MAX_MS,
  FINISHING_MS,
  FIRST_CHECK_MS,
  FIRST_PASS_STEP_MS,
  FIRST_PASS_WAIT_MS,
  nextPollDelay,
  QUICK_MS,
  SOON_MS,
  SWEEP_STEP_MS,
  TICK_MARGIN_MS,
  type PollContext
} from '../../src/engine/poll-policy.js'
import { FIRST_GUESS, PASS_PRIOR, type TickModel } from '../../src/engine/server-ticks.js'

const ceiling = 10_000
const base: PollContext = {
  phase: 'building',
  changed: false,
  msSinceChange: 2_000,
  previousDelayMs: 2_000,
  pollIntervalMs: ceiling,
  ticks: undefined,
  now: 0
}
const delay = (context: Partial<PollContext>) => nextPollDelay({ ...base, ...context })
/** The looks made from `from` on, each answered at once with nothing new, up to `until`. */
function looksFrom(context: Partial<PollContext>, from: number, until: number): number[] {
  const looks: number[] = []
  for (let now = from + nextPollDelay({ ...base, ...context, now: from }); now <= until;) {
    looks.push(now)
    now += nextPollDelay({ ...base, ...context, now })
  }
  return looks
}
const gapsOf = (times: number[]) => times.slice(1).map((time, i) => time - times[i]!)
/** A tick known to within 200 ms at 1.8–2.0 s, one every 2.000–2.010 s. */
const ticks: TickModel = {
  lo: 1_800,
  hi: 2_000,
  minPeriod: 2_000,
  maxPeriod: 2_010,
  strayMs: 0,
  base: { lo: 1_800, hi: 2_000, passes: 0 }
}

describe('nextPollDelay while the builds start', () => {
  const queued = { phase: 'queued' as const, previousDelayMs: FIRST_CHECK_MS, buildUnderWay: true }
  test('builds started by the first check: the build service answers at once, and looks close in on the first pass', () => {
    expect(FIRST_CHECK_MS).toBe(100)
    expect(delay({ ...queued, starting: { builds: 'started', msSinceCreation: 100 } })).toBe(FIRST_PASS_STEP_MS)
    expect(delay({ ...queued, starting: { builds: 'started', msSinceCreation: 290 } })).toBe(FIRST_PASS_STEP_MS)
  })

  test('none started by the first check: the services are slow; the next look a second later, when one has', () => {
    expect(delay({ ...queued, buildUnderWay: false, starting: { builds: 'none', msSinceCreation: 100 } })).toBe(
      QUICK_MS
    )
  })

  test('past FIRST_PASS_WAIT_MS, or once a pass is known, the usual pace', () => {
    expect(delay({ ...queued, starting: { builds: 'started', msSinceCreation: FIRST_PASS_WAIT_MS } })).toBe(
      BUILDING_MAX_MS
    )
    const anchored: TickModel = { ...ticks, lo: 0, hi: 100, base: { lo: 0, hi: 100, passes: 0 } }
    expect(
      delay({ ...queued, ticks: anchored, now: 200, starting: { builds: 'started', msSinceCreation: 200 } })
    ).toBeGreaterThan(FIRST_PASS_STEP_MS)
  })
})

describe('nextPollDelay without known ticks', () => {
  test('while building, checks are BUILDING_MAX_MS apart whatever came before: the final status is at least 2 s after the last build ends', () => {
    expect(delay({ changed: true, previousDelayMs: 300 })).toBe(BUILDING_MAX_MS)
    expect(delay({ changed: false, previousDelayMs: 1_200 })).toBe(BUILDING_MAX_MS)
  })

  test('while queued, pauses grow by half from the first check up to poll-interval', () => {
    const delays: number[] = []
    let previous = FIRST_CHECK_MS
    for (let i = 0; i < 12; i++) {
      previous = delay({ phase: 'queued', previousDelayMs: previous })
      delays.push(previous)
    }
    expect(delays.slice(0, 4)).toEqual([150, 225, 338, 507])
    expect(delays.at(-1)).toBe(ceiling)
    expect(delay({ phase: 'queued', previousDelayMs: 0 })).toBe(FIRST_CHECK_MS)
  })

  test('once a build is under way, no check comes before BUILDING_MAX_MS; a long wait for a slot keeps backing off', () => {
    expect(BUILDING_MAX_MS).toBe(3_200)
    expect(delay({ phase: 'queued', previousDelayMs: FIRST_CHECK_MS, buildUnderWay: true })).toBe(BUILDING_MAX_MS)
    expect(delay({ phase: 'queued', previousDelayMs: BUILDING_MAX_MS, buildUnderWay: true })).toBe(4_800)
    expect(delay({ phase: 'queued', previousDelayMs: FIRST_CHECK_MS, buildUnderWay: false })).toBe(150)
  })

  test('with a run done and another to come, looks double from a quarter second up to a sweep step, and start again at each change', () => {
    const looks: number[] = []
    let previous = FINISHING_MS
    for (let i = 0; i < 4; i++) {
      previous = delay({ phase: 'running-components', runsUnderWay: true, previousDelayMs: previous })
      looks.push(previous)
    }
    expect(looks).toEqual([500, SWEEP_STEP_MS, SWEEP_STEP_MS, SWEEP_STEP_MS])
    expect(
      delay({ phase: 'running-components', runsUnderWay: true, changed: true, previousDelayMs: SWEEP_STEP_MS })
    ).toBe(FINISHING_MS)
  })

  test('runs under way with no pass known to be due: every second; finishing: every quarter second', () => {
    expect(delay({ phase: 'running-components', previousDelayMs: 5_000 })).toBe(QUICK_MS)
    expect(delay({ phase: 'running-components', changed: true, previousDelayMs: 5_000 })).toBe(QUICK_MS)
    expect(delay({ phase: 'failing', changed: true, previousDelayMs: 5_000 })).toBe(QUICK_MS)
    expect(delay({ phase: 'finishing', changed: true, msSinceChange: 0 })).toBe(FINISHING_MS)
  })

  test('a late phase that stays still for SOON_MS falls back to the building pace', () => {
    expect(delay({ phase: 'finishing', msSinceChange: SOON_MS })).toBe(FINISHING_MS)
    expect(delay({ phase: 'finishing', msSinceChange: SOON_MS + 1 })).toBe(BUILDING_MAX_MS)
    expect(delay({ phase: 'running-components', msSinceChange: SOON_MS + 1, previousDelayMs: 4_000 })).toBe(
      BUILDING_MAX_MS
    )
  })

  test('only a late phase falls back: a long queue keeps backing off', () => {
    expect(delay({ phase: 'queued', msSinceChange: 60_000, previousDelayMs: 6_000 })).toBe(9_000)
  })

  test('poll-interval is the ceiling in every phase', () => {
    for (const phase of ['queued', 'building', 'running-components', 'finishing'] as const) {
      expect(delay({ phase, previousDelayMs: 60_000, pollIntervalMs: 1_000 })).toBeLessThanOrEqual(1_000)
      expect(delay({ phase, previousDelayMs: 60_000, pollIntervalMs: 1_000, ticks, now: 2_100 })).toBeLessThanOrEqual(
        1_000
      )
    }
  })
})

describe('nextPollDelay with known ticks', () => {
  test('while building, checks land just after every second tick', () => {
    // Just after the tick at ~2 s: the next is at ~4 s, the one after at 5.8–6.02 s.
    expect(delay({ ticks, now: 2_100 })).toBe(6_020 + TICK_MARGIN_MS - 2_100)
  })

  test('while queued, the grown pause is stretched to just after a tick, at least the second one ahead', () => {
    expect(delay({ phase: 'queued', previousDelayMs: 1_000, ticks, now: 2_100 })).toBe(6_020 + TICK_MARGIN_MS - 2_100)
    expect(delay({ phase: 'queued', previousDelayMs: 6_000, ticks, now: 2_100 })).toBe(12_050 + TICK_MARGIN_MS - 2_100)
  })

  test('a tick just beyond poll-interval gives way to the one before it', () => {
    // The tick at 11.8–12.05 s is looked at 10.04 s on: a moment too late.
    expect(delay({ phase: 'queued', previousDelayMs: 9_000, ticks, now: 2_050 })).toBe(10_040 + TICK_MARGIN_MS - 2_050)
    expect(delay({ phase: 'queued', previousDelayMs: 9_000, ticks, now: 2_050, pollIntervalMs: 3_000 })).toBe(
      4_010 + TICK_MARGIN_MS - 2_050
    )
  })

  test('when the builds are seen done, looks cover the window of the pass that starts the runs, the last just after it', () => {
    // Seen done by the check sent at 1 900 and answered at 2 100: the tick at ~2 s ended the last build. The
    // next one is predicted at 3.803–4.010 s.
    const buildsDone = { lo: 1_900, hi: 2_100 }
    for (const phase of ['running-components', 'failing'] as const) {
      const looks = looksFrom({ phase, ticks, buildsDone }, 2_100, 4_100)
      expect(looks).toEqual([3_803 + (4_035 - 3_803) / 2, 4_010 + TICK_MARGIN_MS])
      expect(4_035 - 3_803).toBeLessThanOrEqual(2 * AIMED_STEP_MS)
    }
  })

  test('the further the predicted pass, the more looks cover its window, none more than AIMED_STEP_MS apart', () => {
    // The last build seen done 40 passes after the tick at 1.8–2.0 s: the next pass is predicted within
    // 41 passes of the guessed 2.003–2.010 s, a window of 0.49 s.
    const buildsDone = { lo: 1_800 + 40 * 2_003, hi: 2_000 + 40 * 2_010 + 100 }
    const window = { lo: 1_800 + 41 * 2_003, hi: 2_000 + 41 * 2_010 }
    const looks = looksFrom({ phase: 'running-components', ticks, buildsDone }, buildsDone.hi, window.hi + 100)
    const inWindow = looks.filter((look) => look > window.lo)
    expect(inWindow.at(-1)).toBeCloseTo(window.hi + TICK_MARGIN_MS)
    expect(inWindow[0]! - window.lo).toBeLessThanOrEqual(AIMED_STEP_MS)
    expect(inWindow.length).toBe(Math.ceil((window.hi + TICK_MARGIN_MS - window.lo) / AIMED_STEP_MS))
    expect(gapsOf(inWindow).every((gap) => gap <= AIMED_STEP_MS)).toBe(true)
    // Not one look before it: no pass can come 2 s after the check before the builds were seen done sooner.
    expect(looks).toEqual(inWindow)
  })

  test('the look after the builds end goes where the checks were aimed, at the guessed pace, when that comes before a sweep step', () => {
    // Sure only of passes of 2.0–3.5 s; aimed at the first guess, 2.003–2.012 s.
    const guessed: TickModel = {
      lo: 1_900,
      hi: 2_000,
      minPeriod: PASS_PRIOR.minMs,
      maxPeriod: PASS_PRIOR.maxMs,
      strayMs: 0,
      base: { lo: 1_900, hi: 2_000, passes: 0 }
    }
    const buildsDone = { lo: 1_950, hi: 2_100 }
    expect(delay({ phase: 'running-components', changed: true, ticks: guessed, buildsDone, now: 2_100 })).toBe(
      2_000 + FIRST_GUESS.maxMs + TICK_MARGIN_MS - 2_100
    )
    // Nothing new just after it: the rest of the span, a blind step at a time.
    expect(delay({ phase: 'running-components', ticks: guessed, buildsDone, now: 4_100 })).toBe(BLIND_STEP_MS)
  })

  test('a look that comes a moment short of the one planned goes on to the next, never again at once', () => {
    // The clock rounds pauses to whole milliseconds: a look can land a fraction short of the one planned.
    const buildsDone = { lo: 1_800 + 40 * 2_003, hi: 2_000 + 40 * 2_010 + 100 }
    const looks = looksFrom({ phase: 'running-components', ticks, buildsDone }, buildsDone.hi, 90_000)
    for (const look of looks) {
      for (const short of [0.4, 0.9]) {
        const pause = nextPollDelay({ ...base, phase: 'running-components', ticks, buildsDone, now: look - short })
        expect(Math.round(pause)).toBeGreaterThanOrEqual(1)
      }
    }
    const end = buildsDone.hi + PASS_PRIOR.maxMs + TICK_MARGIN_MS
    expect(nextPollDelay({ ...base, phase: 'running-components', buildsDone, now: end - 0.3 })).toBe(QUICK_MS)
  })

  test('a guessed pace that runs fast cannot hide the final status for more than a sweep step', () => {
    // The builds seen done by a check the model put just after a tick; the span the sure bounds allow starts
    // at once (1 950 + 2 000 ms is past), so looks a step apart at most lead up to the predicted pass.
    const guessed: TickModel = { ...ticks, minPeriod: PASS_PRIOR.minMs, maxPeriod: PASS_PRIOR.maxMs }
    const buildsDone = { lo: -2_000, hi: 2_100 }
    const looks = looksFrom({ phase: 'running-components', changed: true, ticks: guessed, buildsDone }, 2_100, 6_000)
    expect(gapsOf([2_100, ...looks]).every((gap) => gap <= SWEEP_STEP_MS)).toBe(true)
    expect(looks.filter((look) => look < 3_803).length).toBeGreaterThanOrEqual(2)
    expect(looks).toContain(2_000 + FIRST_GUESS.maxMs + TICK_MARGIN_MS)
  })

  test('when that pass is not known well, or went by with nothing new, looks sweep the span it can fall in', () => {
    const buildsDone = { lo: 1_000, hi: 5_000 }
    // No model: from the earliest (1 000 + 2 000 ms, already past) a blind step at a time...
    expect(delay({ phase: 'running-components', changed: true, buildsDone, now: 5_000 })).toBe(BLIND_STEP_MS)
    // ...until just after the latest: 5 000 + 3 500 ms.
    expect(delay({ phase: 'running-components', buildsDone, now: 8_300 })).toBe(8_500 + TICK_MARGIN_MS - 8_300)
    expect(delay({ phase: 'running-components', buildsDone, now: 8_600 })).toBe(QUICK_MS)
    // A model whose pass went by without the change: the rest of the span, a blind step at a time.
    expect(delay({ phase: 'running-components', ticks, buildsDone: { lo: 1_900, hi: 2_100 }, now: 4_100 })).toBe(
      BLIND_STEP_MS
    )
    // A span that starts later than the next step: its start plus a step.
    expect(delay({ phase: 'running-components', buildsDone: { lo: 4_000, hi: 4_200 }, now: 4_200 })).toBe(
      6_000 + BLIND_STEP_MS - 4_200
    )
  })

  test('ticks predicted less precisely than a second are not aimed at', () => {
    // Sure of passes of 2.10–2.14 s (not the first guess), a tick at 0–0.9 s.
    const vague: TickModel = {
      lo: 0,
      hi: 900,
      minPeriod: 2_100,
      maxPeriod: 2_140,
      strayMs: 0,
      base: { lo: 0, hi: 900, passes: 0 }
    }
    expect(delay({ ticks: vague, now: 1_000, previousDelayMs: 9_000 })).toBe(4_280 + 900 + TICK_MARGIN_MS - 1_000)
    expect(delay({ ticks: vague, now: 30_000, previousDelayMs: 9_000 })).toBe(BUILDING_MAX_MS)
  })
})
