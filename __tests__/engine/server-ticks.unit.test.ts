import { describe, expect, test } from '@jest/globals'
import { changedOnTick, observeTick, TICK_PERIOD, tickClosingAfter, tickWindow } from '../../src/engine/server-ticks.js'
import { deployment } from '../../__fixtures__/deployments.js'

describe('the server-tick model', () => {
  const P = { minPeriod: TICK_PERIOD.minMs, maxPeriod: TICK_PERIOD.maxMs }

  test('only ticks from the anchored one on are fitted, even when the read before the change was slow', () => {
    // A tick before the anchor would also fit (1 050, 1 087]; it is not one the model predicts.
    expect(observeTick({ lo: 1_000, hi: 3_100, ...P }, 1_050, 2_900)).toEqual({ lo: 1_050, hi: 2_900, ...P })
  })

  test('a predicted window that only touches the reads is no fit: the model starts again', () => {
    expect(observeTick({ lo: 0, hi: 1_000, ...P }, 3_013, 3_500)).toEqual({ lo: 3_013, hi: 3_500, ...P })
  })

  test('a period known exactly stays known when a later tick agrees with it', () => {
    const exact = { minPeriod: 2_010, maxPeriod: 2_010 }
    expect(observeTick({ lo: 0, hi: 10, ...exact }, 2_005, 2_030)).toEqual({ lo: 2_010, hi: 2_020, ...exact })
  })

  test('a first change anchors a tick between the two reads, with the upstream period', () => {
    expect(TICK_PERIOD).toEqual({ minMs: 2_003, maxMs: 2_013 })
    expect(observeTick(undefined, 100, 400)).toEqual({ lo: 100, hi: 400, ...P })
  })

  test('later changes move the anchor and narrow the period', () => {
    const first = observeTick(undefined, 0, 400)
    // Read at 2 100 (old state) and 2 300 (new): the next tick fell in (2 100, 2 300].
    const second = observeTick(first, 2_100, 2_300)
    expect(second).toEqual({ lo: 2_100, hi: 2_300, ...P })
    // Ten ticks later, seen in (22 150, 22 250].
    const third = observeTick(second, 22_150, 22_250)
    expect(third).toEqual({ lo: 22_150, hi: 22_250, ...P })
    // Ten more, seen in (42 200, 42 220]: then a period cannot exceed 2 007 ms.
    expect(observeTick(third, 42_200, 42_220)).toEqual({ lo: 42_200, hi: 42_220, minPeriod: 2_003, maxPeriod: 2_007 })
    // ...and seen in (42 290, 42 300], it cannot be under 2 004 ms.
    expect(observeTick(third, 42_290, 42_300)).toEqual({ lo: 42_290, hi: 42_300, minPeriod: 2_004, maxPeriod: 2_013 })
  })

  test('a change between reads of the same tick narrows the window', () => {
    expect(observeTick({ lo: 1_000, hi: 1_500, minPeriod: 2_000, maxPeriod: 2_015 }, 1_200, 1_900)).toEqual({ lo: 1_200, hi: 1_500, minPeriod: 2_000, maxPeriod: 2_015 })
  })

  test('reads too far apart to tell which tick teach nothing; a change where no tick fits starts over', () => {
    const model = { lo: 1_000, hi: 1_200, minPeriod: 2_000, maxPeriod: 2_015 }
    expect(observeTick(model, 1_300, 7_000)).toBe(model)
    expect(observeTick(model, 3_400, 3_900)).toEqual({ lo: 3_400, hi: 3_900, ...P })
  })

  test('predicted windows widen with the period’s uncertainty', () => {
    const model = { lo: 1_000, hi: 1_200, minPeriod: 2_000, maxPeriod: 2_015 }
    expect(tickWindow(model, 10)).toEqual({ lo: 21_000, hi: 21_350 })
    expect(tickClosingAfter(model, 21_350)).toBe(10)
    expect(tickClosingAfter(model, 21_351)).toBe(11)
    expect(tickClosingAfter(model, 0)).toBe(0)
  })

  test('only a build moving on is a tick’s doing', () => {
    const before = deployment('running', { web: 'unknown', cron: 'pending' }, { web: 'pending' })
    expect(changedOnTick(before, deployment('running', { web: 'running', cron: 'pending' }))).toBe(true)
    expect(changedOnTick(before, deployment('running', { web: 'unknown', cron: 'skipped' }))).toBe(false)
    expect(changedOnTick(before, deployment('successful', { web: 'unknown', cron: 'pending' }))).toBe(false)
    expect(changedOnTick(deployment('running', {}), deployment('running', { web: 'unknown' }))).toBe(false)
    expect(changedOnTick(deployment('running', { web: 'running' }), deployment('running', { web: 'failed' }))).toBe(true)
    expect(changedOnTick(deployment('running', { web: 'running' }), deployment('running', { web: 'successful' }))).toBe(true)
    expect(changedOnTick(deployment('running', { web: 'pending' }), deployment('running', { web: 'unknown' }))).toBe(true)
    expect(changedOnTick(deployment('running', { web: 'running' }), deployment('running', { web: 'cancelled' }))).toBe(false)
  })
})
