import { describe, expect, test } from '@jest/globals'
import { MAX_LAG_MS } from '../../dev/bench/goals.js'
import { loadTraces, type Trace } from '../../dev/bench/traces.js'
import { actionSample, floorSample, traceWorld } from '../../dev/bench/virtual-pollers.js'

/**
 * The engine's pace on what the real server really did: deployments recorded on both
 * stand-in sets at 0 to 300 ms a call of the build and jobs services (`npm run
 * bench:record`), replayed in virtual time beside the blind floor on the same trace.
 */
const traces = loadTraces()

async function replay(trace: Trace) {
  return { action: await actionSample(traceWorld(trace)), floor: await floorSample(traceWorld(trace)) }
}

describe('the engine replaying the real server’s recorded traces', () => {
  test('traces of both stand-in sets are there, at latencies from 0 to 300 ms', () => {
    for (const set of ['shared', 'project'] as const) {
      const mine = traces.filter((t) => t.standIns === set)
      expect(new Set(mine.map((t) => t.latencyMs))).toEqual(new Set([0, 50, 150, 300]))
    }
  })

  test.each(traces.map((trace) => [`${trace.standIns}/${trace.name}`, trace] as const))(
    '%s: the final status seen, at most 1.2 s late, whatever the pace',
    async (_name, trace) => {
      const { action } = await replay(trace)
      expect(action.lagMs).toBeGreaterThanOrEqual(0)
      expect(action.lagMs).toBeLessThanOrEqual(MAX_LAG_MS)
    }
  )

  test.each(['shared', 'project'] as const)(
    '%s stand-ins: on average at most one check above the blind floor per deployment',
    async (set) => {
      const mine = await Promise.all(traces.filter((t) => t.standIns === set).map(replay))
      const checks = (pick: (r: (typeof mine)[number]) => number) => mine.reduce((sum, r) => sum + pick(r), 0)
      expect(checks((r) => r.action.requests)).toBeLessThanOrEqual(checks((r) => r.floor.requests) + mine.length)
    }
  )
})
