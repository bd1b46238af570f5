import { describe, expect, test } from '@jest/globals'
import { ABOVE_FLOOR, ABOVE_FLOOR_BLIND, BLIND_FROM_MS, judge } from '../../dev/bench/goals.js'
import { FULL } from '../../dev/bench/points.js'
import type { PointSamples, RunSample } from '../../dev/bench/real-timing.js'

const runs = (gets: number, lagMs = 100): RunSample[] => Array.from({ length: 5 }, () => ({ lagMs, gets }))

/** Every goal met but the checks: the action `above` checks over the floor on every pair. */
const samples = (above: number): PointSamples => ({
  action: runs(10 + above),
  floor: runs(10, 500),
  'sleep 1': runs(28, 500),
  'sleep 10': runs(3, 5_000)
})

const pointAt = (latencyMs: number) => FULL.find((p) => p.latencyMs === latencyMs && p.jitterMs === 0)!

describe("the bench's goal for checks", () => {
  test('one above the floor where the start shows the pace, and no more', () => {
    for (const latencyMs of [0, 25]) {
      expect(judge(pointAt(latencyMs), samples(ABOVE_FLOOR)).pass).toBe(true)
      expect(judge(pointAt(latencyMs), samples(ABOVE_FLOOR + 1)).misses).toEqual([
        `${ABOVE_FLOOR + 1} checks above the floor's > ${ABOVE_FLOOR}`
      ])
    }
  })

  test('two above the floor where nothing shows the pace before the builds end, and no more', () => {
    for (const latencyMs of [BLIND_FROM_MS, 300]) {
      expect(judge(pointAt(latencyMs), samples(ABOVE_FLOOR_BLIND)).pass).toBe(true)
      expect(judge(pointAt(latencyMs), samples(ABOVE_FLOOR_BLIND + 1)).pass).toBe(false)
    }
  })
})
