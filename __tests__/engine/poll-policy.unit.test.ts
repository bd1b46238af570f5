import { describe, expect, test } from '@jest/globals'
import {
  BUILDING_MAX_MS,
  FINISHING_MS,
  FIRST_CHECK_MS,
  FIRST_TICK_STEP_MS,
  nextPollDelay,
  QUICK_MS,
  SOON_MS,
  TICK_MARGIN_MS,
  type PollContext
} from '../../src/engine/poll-policy.js'
import type { TickModel } from '../../src/engine/server-ticks.js'

const ceiling = 10_000
const base: PollContext = { phase: 'building', changed: false, phaseChanged: false, msSinceChange: 2_000, msWaiting: 60_000, previousDelayMs: 2_000, pollIntervalMs: ceiling, ticks: undefined, now: 0 }
const delay = (context: Partial<PollContext>) => nextPollDelay({ ...base, ...context })
/** A tick known to within 200 ms at 1.8–2.0 s, one every 2.000–2.010 s. */
const ticks: TickModel = { lo: 1_800, hi: 2_000, minPeriod: 2_000, maxPeriod: 2_010 }

describe('nextPollDelay without known ticks', () => {
  test('a new phase brings the next check close; a build ending beside others keeps the building pace', () => {
    expect(delay({ changed: true, phaseChanged: true, previousDelayMs: 3_000 })).toBe(QUICK_MS)
    expect(delay({ changed: true, phaseChanged: false, previousDelayMs: 2_500 })).toBe(BUILDING_MAX_MS)
    expect(delay({ changed: true, phaseChanged: false, previousDelayMs: 1_200 })).toBe(1_800)
  })

  test('while queued, pauses grow by half from the first check up to poll-interval', () => {
    const delays: number[] = []
    let previous = FIRST_CHECK_MS
    for (let i = 0; i < 12; i++) {
      previous = delay({ phase: 'queued', previousDelayMs: previous })
      delays.push(previous)
    }
    expect(delays.slice(0, 4)).toEqual([450, 675, 1_013, 1_520])
    expect(delays.at(-1)).toBe(ceiling)
    expect(delay({ phase: 'queued', previousDelayMs: 0 })).toBe(FIRST_CHECK_MS)
  })

  test('until the first tick is seen, the first 1.5 s, a look every 200 ms', () => {
    expect(delay({ phase: 'queued', previousDelayMs: FIRST_CHECK_MS, msWaiting: 300 })).toBe(FIRST_TICK_STEP_MS)
    expect(delay({ phase: 'queued', previousDelayMs: FIRST_TICK_STEP_MS, msWaiting: 1_499 })).toBe(FIRST_TICK_STEP_MS)
    expect(delay({ phase: 'queued', previousDelayMs: FIRST_TICK_STEP_MS, msWaiting: 1_500 })).toBe(FIRST_CHECK_MS)
    expect(delay({ phase: 'queued', previousDelayMs: 1_000, msWaiting: 500, ticks, now: 2_100 })).toBe(6_020 + TICK_MARGIN_MS - 2_100)
  })

  test('while building, pauses stay short enough for a check to land in the runs phase', () => {
    expect(BUILDING_MAX_MS).toBe(3_200)
    expect(delay({ previousDelayMs: 9_000 })).toBe(BUILDING_MAX_MS)
  })

  test('runs under way: every second; finishing: every quarter second', () => {
    expect(delay({ phase: 'running-components', previousDelayMs: 5_000 })).toBe(QUICK_MS)
    expect(delay({ phase: 'running-components', changed: true, previousDelayMs: 5_000 })).toBe(QUICK_MS)
    expect(delay({ phase: 'finishing', changed: true, phaseChanged: true, msSinceChange: 0 })).toBe(FINISHING_MS)
  })

  test('a late phase that stays still for SOON_MS falls back to the building pace', () => {
    expect(delay({ phase: 'finishing', msSinceChange: SOON_MS })).toBe(FINISHING_MS)
    expect(delay({ phase: 'finishing', msSinceChange: SOON_MS + 1 })).toBe(3_000)
    expect(delay({ phase: 'running-components', msSinceChange: SOON_MS + 1, previousDelayMs: 4_000 })).toBe(BUILDING_MAX_MS)
  })

  test('only a late phase falls back: a long queue keeps backing off', () => {
    expect(delay({ phase: 'queued', msSinceChange: 60_000, previousDelayMs: 6_000 })).toBe(9_000)
  })

  test('poll-interval is the ceiling in every phase', () => {
    for (const phase of ['queued', 'building', 'running-components', 'finishing'] as const) {
      expect(delay({ phase, previousDelayMs: 60_000, pollIntervalMs: 1_000 })).toBeLessThanOrEqual(1_000)
      expect(delay({ phase, previousDelayMs: 60_000, pollIntervalMs: 1_000, ticks, now: 2_100 })).toBeLessThanOrEqual(1_000)
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
    expect(delay({ phase: 'queued', previousDelayMs: 6_000, ticks, now: 2_100 })).toBe(10_040 + TICK_MARGIN_MS - 2_100)
  })

  test('a tick just beyond poll-interval gives way to the one before it', () => {
    expect(delay({ phase: 'queued', previousDelayMs: 9_000, ticks, now: 2_100 })).toBe(10_040 + TICK_MARGIN_MS - 2_100)
    expect(delay({ phase: 'queued', previousDelayMs: 9_000, ticks, now: 2_100, pollIntervalMs: 3_000 })).toBe(4_010 + TICK_MARGIN_MS - 2_100)
  })

  test('when the builds are seen done, the next check follows the next tick, when the runs start', () => {
    expect(delay({ phase: 'running-components', changed: true, ticks, now: 2_100 })).toBe(4_010 + TICK_MARGIN_MS - 2_100)
    expect(delay({ phase: 'running-components', changed: false, ticks, now: 2_100 })).toBe(QUICK_MS)
  })

  test('a tick exactly as far as the runs phase allows (1.5 periods) is still aimed at', () => {
    const near: TickModel = { lo: 1_900, hi: 2_000, minPeriod: 2_000, maxPeriod: 2_010 }
    // The tick after the next closes at 4 010 ms; 3 007.5 ms (1.5 × 2 005) from 1 062.5 ms, plus the margin.
    expect(delay({ phase: 'running-components', changed: true, ticks: near, now: 1_062.5 })).toBe(3_008)
  })

  test('ticks predicted less precisely than a second are not aimed at', () => {
    const vague: TickModel = { lo: 0, hi: 900, minPeriod: 2_000, maxPeriod: 2_040 }
    expect(delay({ ticks: vague, now: 1_000, previousDelayMs: 9_000 })).toBe(4_080 + 900 + TICK_MARGIN_MS - 1_000)
    expect(delay({ ticks: vague, now: 30_000, previousDelayMs: 9_000 })).toBe(BUILDING_MAX_MS)
  })
})
