import { describe, expect, test } from '@jest/globals'
import { BUILDING_MAX_MS, FINISHING_MS, nextPollDelay, QUICK_MS, SOON_MS } from '../../src/engine/poll-policy.js'

const ceiling = 10_000

describe('nextPollDelay', () => {
  test('a change brings the next check close', () => {
    expect(nextPollDelay({ phase: 'building', changed: true, phaseChanged: true, msSinceChange: 0, previousDelayMs: 5_000, pollIntervalMs: ceiling })).toBe(QUICK_MS)
  })

  test('a build that ends while others run keeps the building pace', () => {
    expect(nextPollDelay({ phase: 'building', changed: true, phaseChanged: false, msSinceChange: 0, previousDelayMs: 2_000, pollIntervalMs: ceiling })).toBe(3_000)
  })

  test('while queued, pauses grow by half up to poll-interval', () => {
    const delays: number[] = []
    let previous = QUICK_MS
    for (let i = 0; i < 10; i++) {
      previous = nextPollDelay({ phase: 'queued', changed: false, phaseChanged: false, msSinceChange: 2_000, previousDelayMs: previous, pollIntervalMs: ceiling })
      delays.push(previous)
    }
    expect(delays.slice(0, 4)).toEqual([1_500, 2_250, 3_375, 5_063])
    expect(delays.at(-1)).toBe(ceiling)
  })

  test('while building, pauses stay short enough to catch the runs phase', () => {
    expect(nextPollDelay({ phase: 'building', changed: false, phaseChanged: false, msSinceChange: 2_000, previousDelayMs: 9_000, pollIntervalMs: ceiling })).toBe(BUILDING_MAX_MS)
  })

  test('runs under way: every second; finishing: every quarter second', () => {
    expect(nextPollDelay({ phase: 'running-components', changed: false, phaseChanged: false, msSinceChange: 2_000, previousDelayMs: 5_000, pollIntervalMs: ceiling })).toBe(QUICK_MS)
    expect(nextPollDelay({ phase: 'finishing', changed: true, phaseChanged: true, msSinceChange: 0, previousDelayMs: 1_000, pollIntervalMs: ceiling })).toBe(FINISHING_MS)
  })

  test('a late phase that stays still falls back to the building pace', () => {
    const context = { changed: false, phaseChanged: false, msSinceChange: SOON_MS + 1, previousDelayMs: 2_000, pollIntervalMs: ceiling }
    expect(nextPollDelay({ ...context, phase: 'finishing' })).toBe(3_000)
    expect(nextPollDelay({ ...context, phase: 'running-components', previousDelayMs: 4_000 })).toBe(BUILDING_MAX_MS)
  })

  test('poll-interval is the ceiling in every phase', () => {
    for (const phase of ['queued', 'building', 'running-components', 'finishing'] as const) {
      expect(nextPollDelay({ phase, changed: false, phaseChanged: false, msSinceChange: 2_000, previousDelayMs: 60_000, pollIntervalMs: 1_000 })).toBeLessThanOrEqual(1_000)
    }
  })
})
