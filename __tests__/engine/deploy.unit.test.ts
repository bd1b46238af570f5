import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import { deploy, UNREACHABLE_CREATION_MS, type DeployObserver } from '../../src/engine/deploy.js'
import type { RefsReader } from '../../src/engine/git-http.js'
import type { Probe } from '../../src/engine/serving-check.js'
import type { Settings } from '../../src/settings/settings.js'
import { deployment } from '../../dev/fixtures/deployments.js'
import { settingsFixture } from '../../dev/fixtures/settings.js'
import { ScriptedApi, type Step } from '../../dev/fixtures/fake-api.js'
import { VirtualClock } from '../../dev/support/virtual-clock.js'

const settings: Settings = settingsFixture()

const pending = deployment('pending', { web: 'pending' }, { web: 'pending' })
const done = deployment('successful', { web: 'successful' }, { web: 'successful' })
const conflict = () => new ApiError('http', 'HTTP 409', { status: 409, toolforgeErrors: ['busy'], reachedServer: true })

/** A successful deployment whose config publishes a web service: the serving check probes it. */
const withSite = deployment(
  'successful',
  { web: 'successful' },
  { web: 'successful' },
  { tool_config: { components: { web: { run: { publish: true } } } } }
)

/** `probe` is given the run's controller, so that it can cancel the run as it probes. */
function setup(
  posts: Step[],
  gets: Step[] = [done],
  overrides: Partial<Settings> = {},
  probe?: (controller: AbortController) => Probe
) {
  // A clock reading like a real one: durations must be differences, not sums, of its times.
  const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12))
  const api = new ScriptedApi(clock.now, gets, posts)
  const controller = new AbortController()
  const queued: number[] = []
  const calls: string[] = []
  const observer: DeployObserver = {
    created: () => calls.push('created'),
    polled: () => calls.push('polled'),
    queuedOnServer: () => calls.push('queued on server'),
    retrying: (error, failures, delay) => calls.push(`retrying ${error.message} ${failures} ${delay}`),
    creationRetrying: (error, attempt, delay) => calls.push(`creationRetrying ${error.message} ${attempt} ${delay}`),
    queued: (_error, _attempt, delay) => queued.push(delay),
    probed: (_target, answer) => calls.push(`probed ${answer}`)
  }
  const run = () =>
    deploy(
      { ...settings, ...overrides },
      {
        api,
        clock,
        signal: controller.signal,
        observer,
        random: () => 0.5,
        ...(probe ? { probe: probe(controller) } : {})
      }
    )
  return { clock, api, queued, calls, controller, run }
}

/** The run is cancelled at the end of every pause. */
function abortAfterEachSleep(clock: VirtualClock, controller: AbortController): void {
  const sleep = clock.sleep
  clock.sleep = async (ms, signal) => {
    await sleep(ms, signal)
    controller.abort()
  }
}

describe('deploy: which commit', () => {
  const A = 'a'.repeat(40)
  const B = 'b'.repeat(40)
  const repository = 'https://gitlab.wikimedia.org/toolforge-repos/mytool'
  const config = { tool_config: { components: { web: { build: { repository, ref: 'main' } } } } }
  const created = deployment('pending', { web: 'pending' }, { web: 'pending' }, config)
  const refs =
    (reads: string[]): RefsReader =>
    (url) => (reads.push(url), Promise.resolve({ refs: [{ name: 'refs/heads/main', sha: A }], truncated: false }))
  const runWith = (overrides: Partial<Settings>, reads: string[], gets: Step[] = [done]) => {
    const clock = new VirtualClock(Date.UTC(2026, 10, 28, 12))
    const api = new ScriptedApi(clock.now, gets, [created])
    const observer: DeployObserver = {
      created() {},
      polled() {},
      queuedOnServer() {},
      retrying() {},
      creationRetrying() {},
      queued() {},
      probed() {}
    }
    return deploy(
      { ...settings, ...overrides },
      { api, clock, signal: new AbortController().signal, observer, refs: refs(reads) }
    )
  }

  test('the commit is read once a deployment is created, and reported with the outcome', async () => {
    const reads: string[] = []
    const outcome = await runWith({}, reads)
    expect(outcome).toMatchObject({
      end: 'successful',
      commits: { commit: A, components: [{ component: 'web', repository, ref: 'main', commit: A }] }
    })
    expect(reads).toEqual([repository])
  })

  test('expect-commit: another commit ends the run as other-commit, also without waiting; the same one as successful', async () => {
    expect(await runWith({ expectCommit: { sha: B, source: 'input' } }, [])).toMatchObject({
      end: 'other-commit',
      commitCheck: { result: 'differs' }
    })
    expect(await runWith({ expectCommit: { sha: B, source: 'input' }, wait: false }, [])).toMatchObject({
      end: 'other-commit'
    })
    expect(await runWith({ expectCommit: { sha: A, source: 'input' } }, [])).toMatchObject({
      end: 'successful',
      commitCheck: { result: 'matches' }
    })
    // A failed deployment stays failed: the commit is beside the point.
    const failed = deployment('failed', { web: 'failed' }, { web: 'pending' })
    expect(await runWith({ expectCommit: { sha: B, source: 'input' } }, [], [failed])).toMatchObject({ end: 'failed' })
  })

  test('the workflow’s own commit only informs: the run still succeeds', async () => {
    const outcome = await runWith({ expectCommit: { sha: B, source: 'workflow', repository: `${repository}.git` } }, [])
    expect(outcome).toMatchObject({ end: 'successful', commitCheck: { result: 'differs' } })
  })

  test('a deployment followed by id is not resolved: it was created earlier', async () => {
    const reads: string[] = []
    const outcome = await runWith({ deployId: '20261128-120000-abcdefghij' }, reads)
    expect(outcome.commits).toBeUndefined()
    expect(reads).toEqual([])
  })

  test('with check-expect, a check that cannot be made fails rather than passes', async () => {
    const { run } = setup(
      [pending],
      [done],
      { check: 'auto', checkExpect: 'v2' },
      () => () => Promise.resolve({ status: 200 })
    )
    expect(await run()).toMatchObject({
      end: 'not-serving',
      check: { result: 'failed', reason: 'no component of the deployed config publishes a web service' }
    })
  })
})

describe('deploy', () => {
  test('creates, follows and succeeds', async () => {
    const { api, run } = setup([pending])
    const outcome = await run()
    expect(outcome).toMatchObject({ end: 'successful', error: undefined, mayHaveStarted: false })
    expect(outcome.deployment).toBe(done)
    expect(api.postTimes).toHaveLength(1)
  })

  test("every request is given the run's cancellation and its timeout", async () => {
    const { api, clock, controller, run } = setup([pending], [pending, done])
    const deadline = clock.now() + settings.timeoutMs
    await run()
    expect(api.callOptions).toEqual([
      { signal: controller.signal, deadline },
      { signal: controller.signal, deadline },
      { signal: controller.signal, deadline }
    ])
  })

  test('queues behind a 409 from 5 s, growing to at most 30 s, and records the time queued', async () => {
    const posts: Step[] = [...Array.from({ length: 8 }, conflict), pending]
    const { api, queued, run } = setup(posts)
    const outcome = await run()
    expect(outcome.end).toBe('successful')
    expect(queued).toEqual([5_000, 7_500, 11_250, 16_875, 25_313, 30_000, 30_000, 30_000])
    expect(outcome.queuedMs).toBe(queued.reduce((a, b) => a + b, 0))
    expect(api.postTimes).toHaveLength(9)
  })

  test('on-conflict: fail fails at the first 409', async () => {
    const { api, run } = setup([conflict()], [done], { onConflict: 'fail' })
    const outcome = await run()
    expect(outcome.end).toBe('error')
    expect(outcome.mayHaveStarted).toBe(false)
    expect(api.postTimes).toHaveLength(1)
  })

  test('a creation that may have reached the API is never repeated', async () => {
    const reset = new ApiError('network', 'reset', { reachedServer: true })
    const { api, run } = setup([reset, pending])
    const outcome = await run()
    expect(outcome.end).toBe('error')
    expect(outcome.mayHaveStarted).toBe(true)
    expect(api.postTimes).toHaveLength(1)
  })

  test.each([
    [
      'a garbled 2xx',
      new ApiError('bad-response', 'Toolforge answered HTTP 200 with a body that is not JSON', {
        status: 200,
        reachedServer: true
      })
    ],
    ['a 500', new ApiError('http', 'Toolforge answered HTTP 500', { status: 500, reachedServer: true })],
    [
      'a request timeout',
      new ApiError('deadline', 'Toolforge did not answer completely within 30s', { reachedServer: true })
    ]
  ])('after %s on creation, a deployment may have started, and creation is not repeated', async (_what, error) => {
    const { api, run } = setup([error, pending])
    const outcome = await run()
    expect(outcome).toMatchObject({ end: 'error', error, mayHaveStarted: true })
    expect(api.postTimes).toHaveLength(1)
  })

  test('a creation refused before reaching the API is repeated', async () => {
    const refused = new ApiError('network', 'refused', { reachedServer: false })
    const { api, run } = setup([refused, refused, pending])
    expect((await run()).end).toBe('successful')
    expect(api.postTimes).toHaveLength(3)
  })

  test('an API that cannot be reached before the timeout is that failure, not a timeout', async () => {
    const refused = new ApiError('network', 'could not connect', { reachedServer: false })
    const { run } = setup([refused], [done], { timeoutMs: 5_000 })
    const outcome = await run()
    expect(outcome.end).toBe('error')
    expect(outcome.error?.message).toMatch(
      /^gave up after \d+ failed attempts to create the deployment in a row; the last one: could not connect$/
    )
  })

  test('an API refusing every connection is given up on within 30 s of the first refusal', async () => {
    const refused = new ApiError('network', 'could not connect to the API (ECONNREFUSED)', { reachedServer: false })
    const { api, clock, run } = setup([refused])
    const started = clock.now()
    const outcome = await run()
    expect(outcome.end).toBe('error')
    expect(outcome.error?.message).toMatch(
      /^gave up after \d+ failed attempts to create the deployment in a row; the last one: could not connect to the API \(ECONNREFUSED\)$/
    )
    expect(outcome.endedAt - started).toBeLessThanOrEqual(UNREACHABLE_CREATION_MS)
    expect(api.postTimes.at(-1)! - api.postTimes[0]!).toBeGreaterThan(UNREACHABLE_CREATION_MS / 2)
  })

  test('an API that answers 503 to every creation is given up on after 10 attempts in a row', async () => {
    const unavailable = new ApiError('http', 'Toolforge answered HTTP 503', { status: 503, reachedServer: true })
    const { api, run } = setup([unavailable])
    const outcome = await run()
    expect(outcome.error?.message).toBe(
      'gave up after 10 failed attempts to create the deployment in a row; the last one: Toolforge answered HTTP 503'
    )
    expect(api.postTimes).toHaveLength(10)
  })

  test('running out of time behind another deployment is a timeout', async () => {
    const { run } = setup([conflict()], [done], { timeoutMs: 20_000 })
    const outcome = await run()
    expect(outcome.end).toBe('timeout')
    expect(outcome.deployment).toBeUndefined()
    expect(outcome.queuedMs).toBe(20_000)
  })

  test('wait: false ends right after creation, without a status check', async () => {
    const { api, run } = setup([pending], [done], { wait: false })
    const outcome = await run()
    expect(outcome.end).toBe('no-wait')
    expect(outcome.deployment).toBe(pending)
    expect(api.getTimes).toHaveLength(0)
  })

  test('with deploy-id and wait: false, the deployment is read once', async () => {
    const building = deployment('running', { web: 'running' })
    const { api, run } = setup([], [building], { wait: false, deployId: building.deploy_id })
    const outcome = await run()
    expect(outcome.end).toBe('no-wait')
    expect(outcome.deployment).toBe(building)
    expect(api.getTimes).toHaveLength(1)
    expect(api.postTimes).toHaveLength(0)
  })

  test('a failed final status is a failure', async () => {
    const failed = deployment('failed', { web: 'failed' }, { web: 'skipped' })
    const { run } = setup([pending], [failed])
    expect((await run()).end).toBe('failed')
  })

  test('every creation refused before reaching the API is told to the observer, with its pause', async () => {
    const refused = new ApiError('network', 'refused', { reachedServer: false })
    const { api, calls, run } = setup([refused, refused, pending])
    await run()
    const [first, second, third] = api.postTimes as [number, number, number]
    expect(calls.filter((c) => c.startsWith('creationRetrying'))).toEqual([
      `creationRetrying refused 1 ${second - first}`,
      `creationRetrying refused 2 ${third - second}`
    ])
  })

  test('a failed status check while following is told to the observer, with its pause', async () => {
    const reset = new ApiError('network', 'reset', { reachedServer: true })
    const { calls, run } = setup([pending], [reset, done])
    expect((await run()).end).toBe('successful')
    expect(calls.filter((c) => c.startsWith('retrying'))).toEqual([
      expect.stringMatching(/^retrying reset 1 [1-9]\d*$/)
    ])
  })

  test.each([
    [
      'a 503 on creation',
      new ApiError('http', 'HTTP 503', { status: 503, reachedServer: true, retryAfterMs: 20_000 }),
      'creationRetrying HTTP 503 1 20000'
    ],
    [
      'a 429 on creation',
      new ApiError('http', 'HTTP 429', { status: 429, reachedServer: true, retryAfterMs: 45_000 }),
      'creationRetrying HTTP 429 1 45000'
    ]
  ])("after %s, the next attempt waits for the server's Retry-After", async (_what, error, told) => {
    const { api, calls, run } = setup([error, pending])
    expect((await run()).end).toBe('successful')
    expect(calls).toContain(told)
    expect(api.postTimes[1]! - api.postTimes[0]!).toBe(error.retryAfterMs)
  })

  test('a 409 with a Retry-After longer than the back-off waits for the Retry-After', async () => {
    const busy = new ApiError('http', 'HTTP 409', {
      status: 409,
      toolforgeErrors: ['busy'],
      reachedServer: true,
      retryAfterMs: 60_000
    })
    const { queued, run } = setup([busy, conflict(), pending])
    await run()
    expect(queued).toEqual([60_000, 7_500])
  })

  test('a pause ending exactly at the timeout is not followed by another attempt', async () => {
    const { api, run } = setup([conflict()], [done], { timeoutMs: 5_000 })
    const outcome = await run()
    expect(outcome.end).toBe('timeout')
    expect(api.postTimes).toHaveLength(1)
  })

  test('cancelled during the pause behind another deployment, it is interrupted and asks no more', async () => {
    const { api, clock, controller, run } = setup([conflict(), pending])
    abortAfterEachSleep(clock, controller)
    const outcome = await run()
    expect(outcome.end).toBe('interrupted')
    expect(api.postTimes).toHaveLength(1)
  })

  test('cancelled during the last pause before the timeout, it is interrupted, not timed out', async () => {
    const { clock, controller, run } = setup([conflict()], [done], { timeoutMs: 4_000 })
    abortAfterEachSleep(clock, controller)
    expect((await run()).end).toBe('interrupted')
  })

  test('without a way to probe, the serving check is skipped and says why', async () => {
    const { run } = setup([pending], [done], { check: 'auto' })
    const outcome = await run()
    expect(outcome.end).toBe('successful')
    expect(outcome.check).toEqual({ result: 'skipped', reason: 'no way to probe', answers: [], durationMs: 0 })
  })

  test('cancelled during the serving check, it is interrupted, and so is the check: it did not fail', async () => {
    const probe =
      (controller: AbortController): Probe =>
      () => {
        controller.abort()
        return Promise.resolve({ status: 502 })
      }
    const { calls, run } = setup([pending], [withSite], { check: 'auto' }, probe)
    const outcome = await run()
    expect(outcome.end).toBe('interrupted')
    expect(outcome.check).toMatchObject({ result: 'interrupted', answers: [] })
    // What answered while the run was being cancelled is no verdict on the tool.
    expect(calls).not.toContain('probed 502')
  })

  test('a tool that never serves after a successful deployment ends as not serving', async () => {
    const { run } = setup(
      [pending],
      [done],
      { check: new URL('https://mytool.toolforge.org/healthz'), checkTimeoutMs: 10_000 },
      () => () => Promise.resolve({ status: 503 })
    )
    const outcome = await run()
    expect(outcome.end).toBe('not-serving')
    expect(outcome.check?.result).toBe('failed')
  })

  test.each([
    ['a 404 for the id given', new ApiError('http', 'HTTP 404', { status: 404, reachedServer: true })],
    ['a 501 for the id given', new ApiError('http', 'HTTP 501', { status: 501, reachedServer: true })]
  ])('a read that fails with %s started nothing', async (_what, error) => {
    const { api, run } = setup([], [error], { deployId: pending.deploy_id })
    expect(await run()).toMatchObject({ end: 'error', error, mayHaveStarted: false })
    expect(api.postTimes).toHaveLength(0)
  })

  test('a status check that fails for good after creation does not make the creation unknown', async () => {
    const gone = new ApiError('http', 'HTTP 501', { status: 501, reachedServer: true })
    expect(await setup([pending], [gone]).run()).toMatchObject({ end: 'error', error: gone, mayHaveStarted: false })
  })

  test('a 409 arriving as the run is cancelled announces no further attempt', async () => {
    const { api, controller, queued, run } = setup([])
    api.createDeployment = () => {
      controller.abort()
      return Promise.reject(conflict())
    }
    expect((await run()).end).toBe('interrupted')
    expect(queued).toEqual([])
  })

  test('a probe failing as the run is cancelled is an interruption, not an error', async () => {
    const probe =
      (controller: AbortController): Probe =>
      () => {
        controller.abort()
        return Promise.reject(new Error('probe cancelled'))
      }
    const { run } = setup([pending], [withSite], { check: 'auto' }, probe)
    expect((await run()).end).toBe('interrupted')
  })
})

describe('a dry run', () => {
  const notFound = new ApiError('http', 'Toolforge answered HTTP 404', {
    status: 404,
    toolforgeErrors: ['Deployment not found'],
    reachedServer: true
  })
  const refused = new ApiError('http', 'Toolforge answered HTTP 401', {
    status: 401,
    toolforgeErrors: ['has expired'],
    reachedServer: true
  })
  const gateway = new ApiError('http', 'Toolforge answered HTTP 502', { status: 502, reachedServer: true })

  test('asks for a deployment no tool has: a 404 means Toolforge accepts the token; nothing is created', async () => {
    const { api, run } = setup([pending], [notFound], { dryRun: true })
    const outcome = await run()
    expect(outcome).toMatchObject({ end: 'token-accepted', deployment: undefined, error: undefined })
    expect(api.getTimes).toHaveLength(1)
    expect(api.postTimes).toEqual([])
    expect(api.callOptions[0]?.deadline).toBeDefined()
  })

  test('a 401 is the refusal, with Toolforge’s reason, asked once', async () => {
    const { api, run } = setup([pending], [refused], { dryRun: true })
    const outcome = await run()
    expect(outcome).toMatchObject({ end: 'error', error: refused })
    expect(api.getTimes).toHaveLength(1)
  })

  test('a gateway error is retried as a status read is, and told to the observer', async () => {
    const { api, calls, run } = setup([pending], [gateway, notFound], { dryRun: true })
    expect((await run()).end).toBe('token-accepted')
    expect(api.getTimes).toHaveLength(2)
    expect(calls.filter((c) => c.startsWith('retrying'))).toHaveLength(1)
  })
})

describe("deploy: again after Toolforge's own failure (retries)", () => {
  const lost = {
    ...deployment('failed', { web: 'failed' }, { web: 'skipped' }),
    long_status: 'Got exception: Some builds failed, you can check the build logs for more info: web(id:b-1)',
    builds: {
      web: { build_id: 'b-1', build_status: 'failed', build_long_status: 'build b-1 not found, maybe it was deleted?' }
    }
  }
  const broken = {
    ...lost,
    builds: { web: { build_id: 'b-1', build_status: 'failed', build_long_status: 'You can see the logs with …' } }
  }

  test('deploys again after a pause of at least 10 s, and tells the earlier attempt', async () => {
    const { api, clock, run } = setup([pending], [lost, done], { retries: 1 })
    const outcome = await run()
    expect(outcome.end).toBe('successful')
    expect(api.postTimes).toHaveLength(2)
    expect(api.postTimes[1]! - api.getTimes[0]!).toBeGreaterThanOrEqual(10_000)
    expect(outcome.attempts).toEqual([{ deployId: lost.deploy_id, status: 'failed', reason: lost.long_status }])
    expect(outcome.endedAt - outcome.startedAt).toBe(clock.now() - outcome.startedAt)
  })

  test("never after the tool's own failure, and never beyond retries", async () => {
    const tool = setup([pending], [broken], { retries: 3 })
    expect((await tool.run()).end).toBe('failed')
    expect(tool.api.postTimes).toHaveLength(1)
    const toolforge = setup([pending], [lost], { retries: 2 })
    const outcome = await toolforge.run()
    expect([outcome.end, toolforge.api.postTimes.length, outcome.attempts.length]).toEqual(['failed', 3, 2])
  })

  test("not when the next pause would end past the run's timeout, nor for a deployment it did not create", async () => {
    const late = setup([pending], [lost], { retries: 2, timeoutMs: 8_000 })
    expect((await late.run()).attempts).toEqual([])
    expect(late.api.postTimes).toHaveLength(1)
    const given = setup([], [lost], { retries: 2, deployId: lost.deploy_id })
    await given.run()
    expect(given.api.postTimes).toHaveLength(0)
  })
})
