import { describe, expect, test } from '@jest/globals'
import { deploy, type DeployObserver } from '../../src/engine/deploy.js'
import { SWEEP_STEP_MS, TICK_MARGIN_MS } from '../../src/engine/poll-policy.js'
import { isFinal } from '../../src/engine/status.js'
import { settingsFixture } from '../../dev/fixtures/settings.js'
import { SimulatedApi } from '../../dev/simulator/api.js'
import { seededRandom } from '../../dev/simulator/random.js'
import type { ComponentPlan, Timeline } from '../../dev/simulator/scenarios.js'
import { inProcessApi } from '../../dev/support/in-process-api.js'
import { VirtualClock } from '../../dev/support/virtual-clock.js'

/**
 * The whole engine against the simulated server in virtual time, at paces other than the
 * one it first assumes: each call of the server's task to the build and jobs services
 * delayed, so that a pass over two builds takes 2 s plus twice the delay.
 */
const TOKEN = 'pace-token'
const source = (name: string, buildMs: number): ComponentPlan => ({
  name,
  build: { kind: 'source', queueMs: 1_000, buildMs }
})
/** Two polls of a poll-interval apart can miss two passes at most. */
const AT_MOST_MS = 2 * 2_013 + TICK_MARGIN_MS

/** A clock whose pauses overrun by up to `busyMs`, as on a loaded runner. */
class BusyClock extends VirtualClock {
  constructor(time: number, busyMs: number, random = seededRandom(11)) {
    super(time)
    const sleep = this.sleep
    this.sleep = (ms, signal) => sleep(ms + random() * busyMs, signal)
  }
}

async function run(timeline: Timeline, busyMs = 0) {
  const clock = new BusyClock(Date.parse('2026-01-01T00:00:00Z'), busyMs)
  const sim = new SimulatedApi({ token: TOKEN, scenario: timeline, now: clock.now })
  let buildsSeenDoneAt: number | undefined
  const noop = () => {}
  const observer: DeployObserver = {
    created: noop,
    polled: ({ deployment }) => {
      const builds = Object.values(deployment.builds)
      if (
        buildsSeenDoneAt === undefined &&
        !isFinal(deployment.status ?? 'pending') &&
        builds.length === 2 &&
        builds.every((b) => b.build_status === 'successful')
      )
        buildsSeenDoneAt = clock.now()
    },
    queuedOnServer: noop,
    retrying: noop,
    creationRetrying: noop,
    queued: noop,
    probed: noop
  }
  const settings = settingsFixture({ token: TOKEN, apiUrl: 'http://127.0.0.1', check: 'off', timeoutMs: 3_600_000 })
  const outcome = await deploy(settings, {
    api: inProcessApi(sim, settings.tool, TOKEN),
    clock,
    signal: new AbortController().signal,
    observer
  })
  const finalAt = sim.deploymentsOf(settings.tool)[0]!.finalAt
  return {
    end: outcome.end,
    lagMs: outcome.endedAt - finalAt,
    sweptLagMs: buildsSeenDoneAt === undefined ? undefined : outcome.endedAt - finalAt
  }
}

describe('the engine at paces other than the one it assumes', () => {
  test.each([
    [0, 0],
    [150, 0],
    [250, 50],
    [500, 100]
  ])(
    'calls of %i ± %i ms (passes of 2.0 to 3.0 s): the final status seen within two passes; within a sweep step once the builds were seen done',
    async (ms, jitterMs) => {
      for (let phase = 0; phase < 8; phase++) {
        const buildMs = 20_000 + phase * 450
        const result = await run({
          components: [source('web', buildMs), source('worker', buildMs)],
          serviceLatency: { ms, jitterMs, seed: phase + 1 }
        })
        expect(result.end).toBe('successful')
        expect(result.lagMs).toBeGreaterThanOrEqual(0)
        expect(result.lagMs).toBeLessThanOrEqual(AT_MOST_MS)
        if (result.sweptLagMs !== undefined)
          expect(result.sweptLagMs).toBeLessThanOrEqual(SWEEP_STEP_MS + TICK_MARGIN_MS)
      }
    }
  )

  test('a pace that changes mid-deployment (one build done, one call less per pass) keeps the same bounds', async () => {
    for (let phase = 0; phase < 8; phase++) {
      const result = await run({
        components: [source('web', 10_000 + phase * 300), source('worker', 30_000 + phase * 300)],
        serviceLatency: { ms: 300, jitterMs: 100, seed: phase + 1 }
      })
      expect(result.lagMs).toBeLessThanOrEqual(AT_MOST_MS)
      if (result.sweptLagMs !== undefined) expect(result.sweptLagMs).toBeLessThanOrEqual(SWEEP_STEP_MS + TICK_MARGIN_MS)
    }
  })

  test('a busy client, whose pauses overrun by up to 300 ms, sees the end within the same bounds plus its overrun', async () => {
    for (let phase = 0; phase < 8; phase++) {
      const buildMs = 20_000 + phase * 450
      const result = await run(
        {
          components: [source('web', buildMs), source('worker', buildMs)],
          serviceLatency: { ms: 150, seed: phase + 1 }
        },
        300
      )
      expect(result.lagMs).toBeLessThanOrEqual(AT_MOST_MS + 300)
      if (result.sweptLagMs !== undefined)
        expect(result.sweptLagMs).toBeLessThanOrEqual(SWEEP_STEP_MS + TICK_MARGIN_MS + 300)
    }
  })
})
