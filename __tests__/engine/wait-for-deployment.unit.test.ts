import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import { GaveUpError, MAX_CONSECUTIVE_FAILURES, waitForDeployment, type WaitObserver } from '../../src/engine/wait-for-deployment.js'
import { deployment } from '../../__fixtures__/deployments.js'
import { ScriptedApi, type Step } from '../../__fixtures__/fake-api.js'
import { VirtualClock } from '../../scripts/virtual-clock.js'

const building = deployment('running', { web: 'running' }, { web: 'pending' })
const done = deployment('successful', { web: 'successful' }, { web: 'successful' })
const gateway = () => new ApiError('http', 'Toolforge answered HTTP 502', { status: 502, reachedServer: true })

function setup(steps: Step[], options: { timeoutMs?: number; pollIntervalMs?: number; signal?: AbortSignal } = {}) {
  const clock = new VirtualClock()
  const api = new ScriptedApi(clock.now, steps)
  const retries: Array<[ApiError, number, number]> = []
  const observer: WaitObserver = { polled: () => {}, retrying: (error, failures, delay) => retries.push([error, failures, delay]) }
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
        random: () => 0.5
      },
      observer
    )
  return { clock, api, retries, run }
}

describe('waitForDeployment', () => {
  test('checks at once when following an id, and stops at the final status', async () => {
    const { api, run } = setup([building, building, done])
    const result = await run()
    expect(result).toEqual({ end: 'final', deployment: done })
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

  test(`gives up after ${MAX_CONSECUTIVE_FAILURES} failures in a row, saying what failed`, async () => {
    const { api, run } = setup([gateway()])
    const error = await run().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(GaveUpError)
    expect((error as Error).message).toBe('gave up after 10 failed status checks in a row; the last one: Toolforge answered HTTP 502')
    expect(api.getTimes).toHaveLength(10)
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
    expect(result).toEqual({ end: 'timeout', deployment: building })
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
    expect(await run()).toEqual({ end: 'cancelled', deployment: undefined })
    expect(api.getTimes).toHaveLength(0)
  })
})
