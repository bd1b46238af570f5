import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import {
  BUILDING_MAX_MS,
  FINISHING_MS,
  FIRST_CHECK_MS,
  QUICK_MS,
  SWEEP_STEP_MS,
  TICK_MARGIN_MS
} from '../../src/engine/poll-policy.js'
import { PASS_PRIOR } from '../../src/engine/server-ticks.js'
import {
  READ_BACKOFF,
  UnreadError,
  waitForDeployment,
  type Outage,
  type WaitObserver
} from '../../src/engine/wait-for-deployment.js'
import { deployment } from '../../dev/fixtures/deployments.js'
import { ScriptedApi, TimedApi, type Step } from '../../dev/fixtures/fake-api.js'
import { VirtualClock } from '../../dev/support/virtual-clock.js'

const building = deployment('running', { web: 'running' }, { web: 'pending' })
const done = deployment('successful', { web: 'successful' }, { web: 'successful' })
const gateway = () => new ApiError('http', 'Toolforge answered HTTP 502', { status: 502, reachedServer: true })

const finishing = deployment('running', { web: 'successful' }, { web: 'successful' })
const cancelling = deployment('cancelling', { web: 'unknown' }, { web: 'pending' })

/** Follows a deployment whose state changes at the given times (ms after the wait began). */
async function follow(states: Array<[number, ReturnType<typeof deployment>]>, start = Date.UTC(2026, 10, 28, 12)) {
  const clock = new VirtualClock(start)
  const api = new TimedApi(
    clock.now,
    states.map(([at, d]) => [start + at, d])
  )
  const result = await waitForDeployment(
    api,
    clock,
    {
      deployId: done.deploy_id,
      initial: undefined,
      deadline: start + 30 * 60_000,
      pollIntervalMs: 10_000,
      signal: new AbortController().signal,
      random: () => 0.5
    },
    { polled: () => {}, queuedOnServer: () => {}, retrying: () => {} }
  )
  return { result, checks: api.getTimes.map((t) => t - start) }
}

function setup(
  steps: Step[],
  options: {
    timeoutMs?: number
    pollIntervalMs?: number
    signal?: AbortSignal
    random?: () => number
    once?: boolean
  } = {}
) {
  const clock = new VirtualClock()
  const api = new ScriptedApi(clock.now, steps)
  const retries: Array<[ApiError, number, number]> = []
  const recovered: Outage[] = []
  const observer: WaitObserver = {
    polled: () => {},
    queuedOnServer: () => {},
    retrying: (error, failures, delay) => retries.push([error, failures, delay]),
    recovered: (outage) => recovered.push(outage)
  }
  const run = () =>
    waitForDeployment(
      api,
      clock,
      {
        deployId: done.deploy_id,
        initial: undefined,
        deadline: options.timeoutMs ?? 30 * 60_000,
        pollIntervalMs: options.pollIntervalMs ?? 10_000,
        signal: options.signal ?? new AbortController().signal,
        random: options.random ?? (() => 0.5),
        ...(options.once ? { once: true } : {})
      },
      observer
    )
  return { clock, api, retries, recovered, run }
}

describe('waitForDeployment', () => {
  test('checks at once when following an id, and stops at the final status', async () => {
    const { api, run } = setup([building, building, done])
    const result = await run()
    expect(result).toEqual({ end: 'final', deployment: done, queuedMs: 0, outages: [] })
    expect(api.getTimes[0]).toBe(0)
    expect(api.getTimes).toHaveLength(3)
  })

  test('an unknown status is not final', async () => {
    const { api, run } = setup([deployment('paused', { web: 'running' }), done])
    expect((await run()).end).toBe('final')
    expect(api.getTimes).toHaveLength(2)
  })

  test('never checks sooner than Retry-After asks', async () => {
    const { api, run } = setup([{ deployment: building, retryAfterMs: 7_000 }, done])
    await run()
    expect(api.getTimes[1]! - api.getTimes[0]!).toBeGreaterThanOrEqual(7_000)
  })

  test('a transient failure is retried with backoff, and the count resets on a good answer', async () => {
    const steps: Step[] = [gateway(), gateway(), building, gateway(), done]
    const { retries, run } = setup(steps)
    expect((await run()).end).toBe('final')
    expect(retries.map(([, failures]) => failures)).toEqual([1, 2, 1])
    expect(retries.map(([, , delay]) => delay)).toEqual([500, 1_000, 500])
  })

  test('the pause between failed status checks doubles from 1 s and never exceeds 30 s', async () => {
    const steps: Step[] = [...Array.from({ length: 9 }, gateway), done]
    const { retries, run } = setup(steps, { random: () => 1 })
    expect((await run()).end).toBe('final')
    expect(retries.map(([, , delay]) => delay)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000
    ])
  })

  test('once every build and run is done, the final status is seen within a quarter second, however long the builds took', async () => {
    const { result, checks } = await follow([
      [0, building],
      [30_000, finishing],
      [30_000 + BUILDING_MAX_MS + 300, done]
    ])
    expect(result.end).toBe('final')
    expect(checks.at(-1)).toBeGreaterThanOrEqual(30_000 + BUILDING_MAX_MS + 300)
    expect(checks.at(-1)).toBeLessThanOrEqual(30_000 + BUILDING_MAX_MS + 300 + FINISHING_MS)
  })

  test('a late phase that stays still: a look every quarter second for 10 s, then at the building pace', async () => {
    const { result, checks } = await follow([
      [0, cancelling],
      [60_000, deployment('cancelled', { web: 'cancelled' }, { web: 'pending' })]
    ])
    expect(result.end).toBe('final')
    const gaps = checks.slice(1).map((t, i) => [checks[i]!, t - checks[i]!] as const)
    expect(gaps.filter(([at]) => at < 10_000).every(([, gap]) => gap <= 250)).toBe(true)
    expect(gaps.filter(([at]) => at > 10_500).every(([, gap]) => gap >= 1_000 && gap <= 3_200)).toBe(true)
    expect(checks.filter((t) => t < 10_000).length).toBeGreaterThanOrEqual(40)
  })

  test('from when the builds start, looks come BUILDING_MAX_MS apart, a build ending beside another too', async () => {
    const two = (a: string, b: string) => deployment('running', { a, b }, { a: 'pending', b: 'pending' })
    const { checks } = await follow([
      [0, deployment('pending')],
      [5_000, two('running', 'running')],
      [14_000, two('successful', 'running')],
      [40_000, done]
    ])
    const gapAfterFirstSeen = (from: number) => {
      const i = checks.findIndex((t) => t >= from)
      return checks[i + 1]! - checks[i]!
    }
    expect(gapAfterFirstSeen(5_000)).toBe(BUILDING_MAX_MS)
    expect(gapAfterFirstSeen(14_000)).toBe(BUILDING_MAX_MS)
  })

  test('when the builds are seen done, looks sweep the span of the pass that starts the runs, then come every second', async () => {
    const web = (build: string, run: string) => deployment('running', { web: build }, { web: run })
    const { checks } = await follow([
      [0, web('pending', 'pending')],
      [1_000, web('running', 'pending')],
      [21_000, web('successful', 'pending')],
      [30_000, done]
    ])
    const seenDone = checks.findIndex((t) => t >= 21_000)
    const gaps = (list: number[]) => list.slice(1).map((t, i) => t - list[i]!)
    // The pass falls 2 to 3.5 s after the build was seen ending: not before...
    expect(checks[seenDone + 1]! - checks[seenDone - 1]!).toBeGreaterThanOrEqual(PASS_PRIOR.minMs)
    // ...then half a second apart until it surely went by...
    const spanEnd = checks[seenDone]! + PASS_PRIOR.maxMs + TICK_MARGIN_MS
    const sweep = checks.slice(seenDone + 1).filter((t) => t <= spanEnd)
    expect(sweep.length).toBeGreaterThan(3)
    expect(gaps(sweep).every((gap) => gap <= SWEEP_STEP_MS)).toBe(true)
    expect(sweep.at(-1)).toBe(spanEnd)
    // ...then, the runs going on, every second.
    const later = checks.filter((t) => t >= spanEnd && t < 30_000)
    expect(later.length).toBeGreaterThan(3)
    expect(gaps(later).every((gap) => gap === QUICK_MS)).toBe(true)
  })

  test('an outage of the API is followed through to the deadline with capped backoff, and told as one outage', async () => {
    const { api, clock, retries, run } = setup([building, gateway()], { timeoutMs: 10 * 60_000 })
    const result = await run()
    expect(result.end).toBe('timeout')
    expect(result.deployment).toBe(building)
    expect(clock.time).toBe(10 * 60_000)
    // Full jitter at one half: the pause doubles from half a second up to half the cap, and stays there.
    expect(Math.max(...retries.map(([, , delay]) => delay))).toBe(READ_BACKOFF.maxMs / 2)
    expect(api.getTimes.length).toBeGreaterThan(20)
    expect(api.getTimes.length).toBeLessThan(50)
    expect(result.outages).toEqual([
      {
        startedAt: api.getTimes[1],
        endedAt: api.getTimes.at(-1),
        failures: api.getTimes.length - 1,
        last: 'HTTP 502',
        ongoing: true
      }
    ])
  })

  test('an outage that ends is recorded with its length and failures, and the observer hears of it once', async () => {
    const { api, recovered, run } = setup([building, gateway(), gateway(), gateway(), building, done])
    const result = await run()
    expect(result.end).toBe('final')
    const outage = { startedAt: api.getTimes[1], endedAt: api.getTimes[4], failures: 3, ongoing: false }
    expect(result.outages).toEqual([expect.objectContaining(outage)])
    expect(recovered).toEqual(result.outages)
  })

  test('asked for one read, failed reads are tried again until one answers', async () => {
    const { api, run } = setup([gateway(), gateway(), building], { timeoutMs: 60_000, once: true })
    const result = await run()
    expect(result.end).toBe('read')
    expect(result.deployment).toBe(building)
    expect(api.getTimes).toHaveLength(3)
  })

  test('asked for one read, none by the deadline is an error that says so, not a success', async () => {
    const { api, clock, run } = setup([gateway()], { timeoutMs: 20_000, once: true })
    const error = await run().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UnreadError)
    expect((error as UnreadError).failures).toBe(api.getTimes.length)
    expect(clock.time).toBe(20_000)
    expect((error as Error).message).toMatch(
      /^no read of deployment \S+ succeeded within this run's timeout \(\d+ failed; the last: Toolforge answered HTTP 502\)$/
    )
  })

  test('401 stops at once', async () => {
    const unauthorized = new ApiError('http', 'HTTP 401', { status: 401, reachedServer: true })
    const { api, run } = setup([building, unauthorized])
    await expect(run()).rejects.toBe(unauthorized)
    expect(api.getTimes).toHaveLength(2)
  })

  test('stops at the deadline after one last check, with the last status', async () => {
    const { clock, api, run } = setup([building], { timeoutMs: 60_000 })
    const result = await run()
    expect(result).toEqual({ end: 'timeout', deployment: building, queuedMs: 0, outages: [] })
    expect(clock.time).toBe(60_000)
    expect(api.getTimes.at(-1)).toBe(60_000)
  })

  test('does not check past the deadline when Retry-After points beyond it', async () => {
    const { clock, api, run } = setup([{ deployment: building, retryAfterMs: 120_000 }], { timeoutMs: 60_000 })
    expect((await run()).end).toBe('timeout')
    expect(api.getTimes).toEqual([0])
    expect(clock.time).toBe(60_000)
  })

  test('a cancelled run stops before the next check', async () => {
    const controller = new AbortController()
    const { api, run } = setup([building], { signal: controller.signal })
    controller.abort()
    expect(await run()).toEqual({ end: 'cancelled', deployment: undefined, queuedMs: 0, outages: [] })
    expect(api.getTimes).toHaveLength(0)
  })

  test('a change of a component run alone counts as a change: the look stays quick while runs move', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f']
    const built = Object.fromEntries(names.map((name) => [name, 'successful']))
    const runs = (started: number) =>
      Object.fromEntries(names.map((name, i) => [name, i < started ? 'running' : 'pending']))
    const states: Array<[number, ReturnType<typeof deployment>]> = [0, 1, 2, 3, 4, 5, 6].map((started) => [
      started * 3_000,
      deployment('running', built, runs(started))
    ])
    const { result, checks } = await follow([...states, [21_000, done]])
    expect(result.end).toBe('final')
    const gaps = checks.slice(1).map((t, i) => t - checks[i]!)
    expect(Math.max(...gaps)).toBe(1_000)
  })

  test('the same state in another order is no change: a still late phase slows down after 10 s', async () => {
    const forwards = deployment('running', { a: 'successful', b: 'successful' }, { a: 'pending', b: 'pending' })
    const backwards = deployment('running', { b: 'successful', a: 'successful' }, { b: 'pending', a: 'pending' })
    const clock = new VirtualClock()
    const api = new ScriptedApi(clock.now, [
      ...Array.from({ length: 100 }, (_, i) => (i % 2 ? backwards : forwards)),
      done
    ])
    await waitForDeployment(
      api,
      clock,
      {
        deployId: done.deploy_id,
        initial: undefined,
        deadline: 60_000,
        pollIntervalMs: 10_000,
        signal: new AbortController().signal
      },
      { polled: () => {}, queuedOnServer: () => {}, retrying: () => {} }
    )
    const gaps = api.getTimes.slice(1).map((t, i) => t - api.getTimes[i]!)
    expect(Math.max(...gaps)).toBeGreaterThan(1_000)
  })

  test('a failed check with a Retry-After beyond the deadline is not followed by another', async () => {
    const busy = new ApiError('http', 'HTTP 503', { status: 503, reachedServer: true, retryAfterMs: 120_000 })
    const { api, run } = setup([building, busy, building], { timeoutMs: 60_000 })
    expect(await run()).toMatchObject({ end: 'timeout', deployment: building, queuedMs: 0 })
    expect(api.getTimes).toHaveLength(2)
  })

  test('a check cut short by the cancellation ends as cancelled, with the last status seen', async () => {
    const controller = new AbortController()
    const { api, run } = setup([building], { signal: controller.signal })
    const get = api.getDeployment.bind(api)
    api.getDeployment = async (id, options) => {
      if (api.getTimes.length === 0) return get(id, options)
      controller.abort()
      throw new ApiError('aborted', 'the request was cancelled', { reachedServer: true })
    }
    expect(await run()).toEqual({ end: 'cancelled', deployment: building, queuedMs: 0, outages: [] })
  })

  test("each check is given the cancellation and the loop's deadline", async () => {
    const signal = new AbortController().signal
    const clock = new VirtualClock()
    const api = new ScriptedApi(clock.now, [building])
    await waitForDeployment(
      api,
      clock,
      { deployId: done.deploy_id, initial: undefined, deadline: 0, pollIntervalMs: 10_000, signal },
      { polled: () => {}, queuedOnServer: () => {}, retrying: () => {} }
    )
    expect(api.callOptions).toEqual([{ signal, deadline: 0 }])
  })
})

describe('a deployment queued on the server (the next Components API)', () => {
  const queued = deployment(
    'pending',
    { web: 'pending' },
    { web: 'pending' },
    { builds: { web: { build_id: 'no-id-yet', build_status: 'pending' } } }
  )
  const start = Date.UTC(2026, 10, 28, 12)

  async function followQueued(startsAtMs: number, stopWhenQueued = false) {
    const clock = new VirtualClock(start)
    const api = new TimedApi(clock.now, [
      [start, queued],
      [start + startsAtMs, building],
      [start + startsAtMs + 6_000, done]
    ])
    const said: Array<[string, number]> = []
    const result = await waitForDeployment(
      api,
      clock,
      {
        deployId: done.deploy_id,
        initial: queued,
        initialSentAt: start,
        deadline: start + 30 * 60_000,
        pollIntervalMs: 10_000,
        signal: new AbortController().signal,
        stopWhenQueued
      },
      { polled: () => {}, queuedOnServer: () => said.push(['queued', clock.now() - start]), retrying: () => {} }
    )
    return { result, said, checks: api.getTimes.map((t) => t - start) }
  }

  test('is said once, past the server’s first pass, then checked once per pass of its queue loop', async () => {
    // The queue loop started the deployment on its fifth pass, about 25 s after creation.
    const { result, said, checks } = await followQueued(25_100)
    expect(said).toEqual([['queued', 2_000]])
    expect(checks.slice(0, 2)).toEqual([FIRST_CHECK_MS, 2_000])
    const seenStarted = checks.find((t) => t >= 25_100)!
    expect(seenStarted - 25_100).toBeLessThan(1_000)
    const whileQueued = checks.filter((t) => t > 2_000 && t <= seenStarted)
    // One check per 5 s pass, each just after the latest time that pass can come.
    expect(whileQueued.length).toBeLessThanOrEqual(5)
    for (const [i, t] of whileQueued.entries()) expect(t - (i + 1) * 5_000).toBeGreaterThan(0)
    expect(result.end).toBe('final')
    expect(result.queuedMs).toBeGreaterThanOrEqual(25_100)
    expect(result.queuedMs).toBeLessThan(25_100 + 5_300 + 1)
  })

  test('with on-conflict: fail, the wait ends as soon as it is known to be queued', async () => {
    const { result, said, checks } = await followQueued(60_000, true)
    expect(result).toEqual({ end: 'queued', deployment: queued, queuedMs: 2_000, outages: [] })
    expect(said).toEqual([['queued', 2_000]])
    expect(checks).toEqual([FIRST_CHECK_MS, 2_000])
  })

  test('a deployment that starts at once is not said to be queued', async () => {
    const { result, said } = await followQueued(250)
    expect(said).toEqual([])
    expect(result.queuedMs).toBe(0)
  })
})
