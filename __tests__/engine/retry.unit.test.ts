import { describe, expect, test } from '@jest/globals'
import { ApiError, creationMayHaveStarted, creationSurelyNotStarted, isTransient } from '../../src/engine/api-error.js'
import { backoffDelay } from '../../src/engine/backoff.js'
import { parseRetryAfter } from '../../src/engine/retry-after.js'

const http = (status: number) => new ApiError('http', `HTTP ${status}`, { status, reachedServer: true })

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T10:00:00Z')
  test('reads seconds', () => expect(parseRetryAfter('3', now)).toBe(3_000))
  test('reads an HTTP date', () => expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:07 GMT', now)).toBe(7_000))
  test('a date in the past means no wait', () => expect(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', now)).toBe(0))
  test('a wait of up to two minutes is honoured; a longer one is cut to two minutes', () => {
    expect(parseRetryAfter('119', now)).toBe(119_000)
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('86400', now)).toBe(120_000)
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:00 GMT', now)).toBe(120_000)
  })
  test('reads the first of repeated headers, around spaces', () => {
    expect(parseRetryAfter([' 5 ', '9'], now)).toBe(5_000)
  })
  test.each([undefined, '', 'soon', '-1', '3abc', '2026-11-28T10:00:07Z'])('%j is ignored', (value) =>
    expect(parseRetryAfter(value, now)).toBeUndefined()
  )
})

describe('backoffDelay', () => {
  test('full jitter between 0 and the exponential ceiling', () => {
    const policy = { baseMs: 1_000, maxMs: 30_000 }
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(999)
    expect(backoffDelay(policy, 4, () => 0.5)).toBe(4_000)
    expect(backoffDelay(policy, 20, () => 1)).toBe(30_000)
    expect(backoffDelay(policy, 3, () => 0)).toBe(0)
  })
})

describe('which failures are retried', () => {
  test.each([429, 500, 502, 503, 504])('a status read is retried on %d', (status) =>
    expect(isTransient(http(status))).toBe(true)
  )
  test.each([400, 401, 403, 404, 409, 422])('a status read is not retried on %d', (status) =>
    expect(isTransient(http(status))).toBe(false)
  )
  test('network errors and deadlines are transient; redirects and certificates are not', () => {
    expect(isTransient(new ApiError('network', 'reset', { reachedServer: true }))).toBe(true)
    expect(isTransient(new ApiError('deadline', 'late', { reachedServer: true }))).toBe(true)
    expect(isTransient(new ApiError('bad-response', 'html', { status: 200, reachedServer: true }))).toBe(true)
    expect(isTransient(new ApiError('redirect', '302', { status: 302, reachedServer: true }))).toBe(false)
    expect(isTransient(new ApiError('tls', 'cert', { reachedServer: false }))).toBe(false)
  })

  test('an answer too large to read counts as a good one only when its status was', () => {
    const tooLarge = (status?: number) => new ApiError('bad-response', 'too large', { status, reachedServer: true })
    expect(isTransient(tooLarge(200))).toBe(true)
    expect(isTransient(tooLarge(undefined))).toBe(true)
    expect(isTransient(tooLarge(300))).toBe(false)
    expect(isTransient(tooLarge(404))).toBe(false)
  })

  test('errors are named as such in stack traces', () => {
    expect(http(500).name).toBe('ApiError')
  })

  test('a creation is repeated only when it provably did not start', () => {
    // Only an HTTP answer says "not processed"; a body too large to read on a 503 says nothing.
    expect(
      creationSurelyNotStarted(new ApiError('bad-response', 'too large', { status: 503, reachedServer: true }))
    ).toBe(false)
    expect(creationMayHaveStarted(http(503))).toBe(false)
    expect(creationMayHaveStarted(http(429))).toBe(false)
    expect(creationMayHaveStarted(new ApiError('network', 'refused', { reachedServer: false }))).toBe(false)
    expect(creationSurelyNotStarted(new ApiError('network', 'refused', { reachedServer: false }))).toBe(true)
    expect(creationSurelyNotStarted(http(429))).toBe(true)
    expect(creationSurelyNotStarted(http(503))).toBe(true)
    for (const error of [
      http(502),
      http(504),
      http(500),
      new ApiError('network', 'reset', { reachedServer: true }),
      new ApiError('deadline', 'late', { reachedServer: true }),
      new ApiError('bad-response', 'not JSON', { status: 200, reachedServer: true }),
      new ApiError('aborted', 'cancelled after sending', { reachedServer: true })
    ]) {
      expect(creationSurelyNotStarted(error)).toBe(false)
      expect(creationMayHaveStarted(error)).toBe(true)
    }
    expect(creationMayHaveStarted(http(401))).toBe(false)
    expect(creationMayHaveStarted(http(409))).toBe(false)
    expect(creationMayHaveStarted(new ApiError('redirect', 'moved', { status: 307, reachedServer: true }))).toBe(false)
  })
})
