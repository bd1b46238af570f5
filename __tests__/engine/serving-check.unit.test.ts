import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from '@jest/globals'
import {
  CHECK_BACKOFF,
  checkServing,
  EXPECT_BODY_BYTES,
  httpProbe,
  isServing,
  planCheck,
  SERVED_EXCERPT,
  WITHOUT_TEXT,
  type Probe
} from '../../src/engine/serving-check.js'
import { VirtualClock } from '../../dev/support/virtual-clock.js'
import { startWebServer } from '../helpers/web-server.js'

const config = (run: Record<string, unknown>, name = 'web') => ({
  config_version: 'v1beta1',
  components: { [name]: { component_type: 'continuous', run } }
})
const address = 'https://mytool.toolforge.org/'

describe('what to check', () => {
  test('auto: the address plus the health check path of the published component, strictly', () => {
    expect(planCheck('auto', address, config({ publish: '/', health_check_http: '/healthz' }))).toEqual({
      probe: { url: 'https://mytool.toolforge.org/healthz', strict: true, component: 'web' }
    })
    expect(planCheck('auto', address, config({ publish: true, port: 8000 }))).toEqual({
      probe: { url: address, strict: false, component: 'web' }
    })
  })

  test('an expected text goes with whatever is probed', () => {
    expect(planCheck(new URL('https://x.example/version'), address, undefined, 'abc')).toEqual({
      probe: { url: 'https://x.example/version', strict: true, expect: 'abc' }
    })
    expect(planCheck('auto', address, config({ publish: true }), 'abc')).toEqual({
      probe: { url: address, strict: false, component: 'web', expect: 'abc' }
    })
    expect(planCheck('auto', address, undefined, 'abc')).toHaveProperty('skip')
  })

  test('auto without a published component, or off: no probe, and why', () => {
    expect(planCheck('auto', address, config({ command: 'python worker.py' }))).toEqual({
      skip: 'no component of the deployed config publishes a web service'
    })
    expect(planCheck('auto', address, undefined)).toEqual({
      skip: 'no component of the deployed config publishes a web service'
    })
    expect(planCheck('off', address, config({ publish: '/' }))).toEqual({ skip: 'turned off' })
  })

  test('a config that is not one, or a component that is not one, publishes nothing', () => {
    const skip = { skip: 'no component of the deployed config publishes a web service' }
    expect(planCheck('auto', address, 'components: web')).toEqual(skip)
    expect(planCheck('auto', address, { components: 'web' })).toEqual(skip)
    expect(planCheck('auto', address, { components: { web: null, worker: { run: 'publish' } } })).toEqual(skip)
  })

  test('the first published component by name is the one checked', () => {
    const components = { web: { run: { publish: true } }, api: { run: { publish: '/', health_check_http: '/up' } } }
    expect(planCheck('auto', address, { components })).toEqual({
      probe: { url: 'https://mytool.toolforge.org/up', strict: true, component: 'api' }
    })
  })

  test.each([false, null, undefined])('a component with publish: %s publishes nothing', (publish) => {
    expect(planCheck('auto', address, config({ publish }))).toEqual({
      skip: 'no component of the deployed config publishes a web service'
    })
  })

  test("a health check path is below the tool's address, when that address has a path of its own", () => {
    expect(
      planCheck('auto', 'http://127.0.0.1:8000/mytool/', config({ publish: '/', health_check_http: '/healthz' }))
    ).toEqual({
      probe: { url: 'http://127.0.0.1:8000/mytool/healthz', strict: true, component: 'web' }
    })
    expect(
      planCheck('auto', 'https://tools.example/mytool', config({ publish: '/', health_check_http: '/a/b' }))
    ).toMatchObject({ probe: { url: 'https://tools.example/mytool/a/b' } })
  })

  test('a health check path keeps only letters, digits and /._~-; the rest is percent-encoded, existing escapes kept', () => {
    expect(planCheck('auto', address, config({ publish: '/', health_check_http: "/$(id)';x|&y%20z%" }))).toMatchObject({
      probe: { url: 'https://mytool.toolforge.org/%24%28id%29%27%3Bx%7C%26y%20z%25' }
    })
  })

  test("without a health check path, the tool's address itself is asked, path included", () => {
    expect(planCheck('auto', 'http://127.0.0.1:8000/mytool/', config({ publish: true }))).toEqual({
      probe: { url: 'http://127.0.0.1:8000/mytool/', strict: false, component: 'web' }
    })
  })

  test('a URL is asked as given, strictly', () => {
    expect(planCheck(new URL('https://x.example/up'), address, undefined)).toEqual({
      probe: { url: 'https://x.example/up', strict: true }
    })
  })

  test('a health check path from the server cannot lead anywhere but the tool’s own site', () => {
    for (const path of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'up', '/a b']) {
      expect(planCheck('auto', address, config({ publish: '/', health_check_http: path }))).toEqual({
        probe: { url: address, strict: false, component: 'web' }
      })
    }
  })

  test('serving: any answer but a gateway error; strictly, 2xx or 3xx only', () => {
    for (const status of [200, 301, 404, 500]) expect(isServing(status, false)).toBe(true)
    for (const status of [502, 503, 504, undefined]) expect(isServing(status, false)).toBe(false)
    for (const status of [200, 204, 302, 399]) expect(isServing(status, true)).toBe(true)
    for (const status of [199, 400, 404, 500, 503]) expect(isServing(status, true)).toBe(false)
  })
})

describe('checkServing', () => {
  const target = { url: 'https://mytool.toolforge.org/healthz', strict: true }
  const scripted =
    (answers: Array<number | undefined>, clock: VirtualClock, times: number[]): Probe =>
    () => {
      times.push(clock.now())
      const status = answers.length > 1 ? answers.shift() : answers[0]
      return Promise.resolve(status === undefined ? undefined : { status })
    }

  test('with an expected text, an answer without it is not serving yet; the failure keeps what was served', async () => {
    const clock = new VirtualClock()
    const bodies = ['version 1.0', 'version 1.0', 'version 2.0']
    const asked: number[] = []
    const probe: Probe = (_url, _timeout, _signal, bodyBytes) => {
      asked.push(bodyBytes)
      return Promise.resolve({ status: 200, body: bodies.length > 1 ? bodies.shift() : bodies[0] })
    }
    const expecting = { ...target, expect: '2.0' }
    const passed = await checkServing(expecting, 180_000, {
      clock,
      probe,
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    expect(passed).toMatchObject({ result: 'passed', answers: [`200 ${WITHOUT_TEXT}`, `200 ${WITHOUT_TEXT}`, '200'] })
    expect(passed.served).toBeUndefined()
    expect(asked).toEqual([EXPECT_BODY_BYTES, EXPECT_BODY_BYTES, EXPECT_BODY_BYTES])
    const old: Probe = () => Promise.resolve({ status: 200, body: `old ${'x'.repeat(500)}` })
    const failed = await checkServing(expecting, 5_000, {
      clock,
      probe: old,
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    // Probes at 0, 1 and 2.5 s of a 5 s check, and a last one at 4 s, with a second left for its answer.
    expect(failed).toMatchObject({ result: 'failed', answers: Array(4).fill(`200 ${WITHOUT_TEXT}`) })
    expect(failed.served).toBe(`old ${'x'.repeat(SERVED_EXCERPT - 4)}`)
    // A gateway error is not serving, text or not; without an expected text no body is asked for.
    const gateway: Probe = (_u, _t, _s, bytes) => (asked.push(bytes), Promise.resolve({ status: 503, body: '2.0' }))
    expect(
      (
        await checkServing(expecting, 1_000, {
          clock,
          probe: gateway,
          signal: new AbortController().signal,
          observer: { probed: () => {} }
        })
      ).answers
    ).toEqual(['503'])
    await checkServing(target, 1_000, {
      clock,
      probe: gateway,
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    expect(asked.at(-1)).toBe(0)
  })

  test('a tool already serving costs one probe and no wait', async () => {
    const clock = new VirtualClock()
    const times: number[] = []
    const result = await checkServing(target, 180_000, {
      clock,
      probe: scripted([200], clock, times),
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    expect(result).toEqual({ result: 'passed', target, answers: ['200'], durationMs: 0 })
    expect(times).toEqual([0])
  })

  test('probes back off from 1 s towards 10 s until the tool serves', async () => {
    const clock = new VirtualClock()
    const times: number[] = []
    const seen: Array<[string, number | undefined]> = []
    const answers = [503, 503, undefined, 503, 503, 503, 503, 503, 200]
    const result = await checkServing(target, 180_000, {
      clock,
      probe: scripted(answers, clock, times),
      signal: new AbortController().signal,
      observer: { probed: (_t, answer, _n, next) => seen.push([answer, next]) }
    })
    expect(result.result).toBe('passed')
    expect(result.answers).toEqual(['503', '503', 'no answer', '503', '503', '503', '503', '503', '200'])
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([
      1_000,
      1_500,
      2_250,
      3_375,
      5_063,
      7_595,
      CHECK_BACKOFF.maxMs,
      10_000
    ])
    expect(seen.at(-1)).toEqual(['200', undefined])
  })

  test('each probe may take up to 10 s, and never past the end of the check', async () => {
    const clock = new VirtualClock()
    const timeouts: number[] = []
    const probe: Probe = (_url, timeoutMs) => {
      timeouts.push(timeoutMs)
      clock.time += timeoutMs
      return Promise.resolve(undefined)
    }
    await checkServing(target, 25_000, {
      clock,
      probe,
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    expect(timeouts).toEqual([10_000, 10_000, 2_500])
  })

  test('no probe is placed at the very end of the check', async () => {
    const clock = new VirtualClock()
    const times: number[] = []
    const result = await checkServing(target, 1_000, {
      clock,
      probe: scripted([503], clock, times),
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    expect(result.answers).toEqual(['503'])
  })

  test('a tool that never serves is asked until the check timeout, the last time with a second left for the answer', async () => {
    const clock = new VirtualClock()
    const times: number[] = []
    const result = await checkServing(target, 20_000, {
      clock,
      probe: scripted([503], clock, times),
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    // The backoff alone would stop after 13.2 s: the next pause would pass the limit.
    expect(times).toEqual([0, 1_000, 2_500, 4_750, 8_125, 13_188, 19_000])
    expect(result).toMatchObject({ result: 'failed', durationMs: 19_000 })
  })

  test('a tool that never serves fails within the check timeout', async () => {
    const clock = new VirtualClock()
    const times: number[] = []
    const result = await checkServing(target, 30_000, {
      clock,
      probe: scripted([503], clock, times),
      signal: new AbortController().signal,
      observer: { probed: () => {} }
    })
    expect(result.result).toBe('failed')
    expect(clock.now()).toBeLessThanOrEqual(30_000)
    expect(result.durationMs).toBe(clock.now())
    expect(result.answers.every((answer) => answer === '503')).toBe(true)
  })
})

describe('httpProbe', () => {
  test('asks with nothing but a User-Agent, follows no redirect, reads no body', async () => {
    const web = await startWebServer((path) =>
      path === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 }
    )
    try {
      const probe = httpProbe('toolforge-deploy-action/test')
      expect((await probe(`${web.url}/moved`, 5_000, new AbortController().signal, 0))?.status).toBe(302)
      expect((await probe(`${web.url}/`, 5_000, new AbortController().signal, 0))?.status).toBe(200)
      expect(web.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /moved', 'GET /'])
      for (const request of web.requests) {
        expect(Object.keys(request.headers).sort()).toEqual(['connection', 'host', 'user-agent'])
        expect(request.headers.connection).toBe('close')
        expect(request.headers['user-agent']).toBe('toolforge-deploy-action/test')
      }
    } finally {
      await web.close()
    }
  })

  test('reads at most the bytes asked for of the body, and none when asked for none', async () => {
    const web = await startWebServer(() => ({ status: 200, body: `${'a'.repeat(EXPECT_BODY_BYTES)}tail` }))
    try {
      const probe = httpProbe('t')
      const answer = await probe(`${web.url}/`, 5_000, new AbortController().signal, EXPECT_BODY_BYTES)
      expect(answer?.body).toBe('a'.repeat(EXPECT_BODY_BYTES))
      expect(await probe(`${web.url}/`, 5_000, new AbortController().signal, 0)).toEqual({ status: 200 })
    } finally {
      await web.close()
    }
  })

  test('no answer within its deadline, or no server, is "no answer"', async () => {
    const probe = httpProbe('t')
    expect(await probe('http://127.0.0.1:9/', 1_000, new AbortController().signal, 0)).toBeUndefined()
  })

  test('a gateway error is one answer: the probe itself never asks again', async () => {
    const web = await startWebServer(() => ({ status: 503 }))
    try {
      expect((await httpProbe('t')(`${web.url}/`, 5_000, new AbortController().signal, 0))?.status).toBe(503)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(web.requests).toHaveLength(1)
    } finally {
      await web.close()
    }
  })

  test('a cancelled run ends a probe the tool holds at once, and closes its connection', async () => {
    let closed = false
    const server = createServer((req) => req.on('close', () => (closed = true)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 100)
      const started = Date.now()
      expect(
        await httpProbe('t')(
          `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
          10_000,
          controller.signal,
          0
        )
      ).toBeUndefined()
      expect(Date.now() - started).toBeLessThan(1_000)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(closed).toBe(true)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
