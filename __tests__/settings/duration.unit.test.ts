import { describe, expect, test } from '@jest/globals'
import { formatDuration, parseDuration } from '../../src/settings/duration.js'

describe('parseDuration', () => {
  test.each([
    ['90', 90_000],
    ['45s', 45_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1h0m5s', 3_605_000],
    [' 2m ', 120_000],
    ['12h', 43_200_000],
    ['100s', 100_000]
  ])('%j is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  test.each(['', 'm', '1.5m', '30 m', '1m1h', '10 minutes', '-5s', '1d', '5ms', '1m30', 'x90'])(
    '%j is not a duration',
    (text) => expect(parseDuration(text)).toBeUndefined()
  )
})

describe('formatDuration', () => {
  test.each([
    [0, '0s'],
    [72_000, '1m12s'],
    [1_800_000, '30m'],
    [5_400_000, '1h30m'],
    [3_605_000, '1h00m05s'],
    [21_600_000, '6h'],
    [499, '0s'],
    [500, '1s']
  ])('%d ms is %j', (ms, text) => expect(formatDuration(ms)).toBe(text))
})
