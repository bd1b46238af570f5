import { describe, expect, test } from '@jest/globals'
import { MAX_LINE, ProgressLog } from '../../src/report/progress.js'
import { deployment } from '../../dev/fixtures/deployments.js'

describe('ProgressLog', () => {
  test('names what changed, grouped, once, with the elapsed time', () => {
    const log = new ProgressLog(0)
    expect(log.update(deployment('pending', { web: 'pending' }, { web: 'pending' }), 0)).toBe(
      '[0s] pending · builds: web pending'
    )
    expect(log.update(deployment('pending', { web: 'pending' }, { web: 'pending' }), 1_000)).toBeUndefined()
    expect(log.update(deployment('running', { web: 'unknown' }, { web: 'pending' }), 2_000)).toBe(
      '[2s] running · builds: web queued'
    )
    expect(log.update(deployment('running', { web: 'running' }, { web: 'pending' }), 72_000)).toBe(
      '[1m12s] running · builds: web running'
    )
    expect(log.update(deployment('running', { web: 'successful' }, { web: 'successful' }), 80_000)).toBe(
      '[1m20s] running · builds: web ✓ · runs: web ✓'
    )
  })

  test('durations come from the timeline, for what has ended', () => {
    const log = new ProgressLog(0)
    const timeline = {
      startedAt: 0,
      observed: { startMs: 0, endMs: 165_000 },
      precisionMs: 4_000,
      components: { web: { build: { startMs: 4_000, endMs: 165_000 } } }
    }
    expect(log.update(deployment('running', { web: 'successful', worker: 'failed' }), 165_000, timeline)).toBe(
      '[2m45s] running · builds: web ✓ 2m41s, worker ✗'
    )
  })

  test('a build the builds map does not list yet, or lists with no id, is not started; the first line leaves those out', () => {
    const log = new ProgressLog(0)
    const created = deployment('pending', { web: 'pending', cron: 'pending' }, { cron: 'pending', web: 'pending' })
    for (const build of Object.values(created.builds)) build.build_id = 'no-id-yet'
    expect(log.update(created, 0)).toBe('[0s] pending')
    // The server drops the unstarted builds from the map as its task starts: nothing changed for them.
    expect(log.update(deployment('running', { web: 'pending' }, { cron: 'pending', web: 'pending' }), 300)).toBe(
      '[0s] running · builds: web pending'
    )
    expect(
      log.update(deployment('running', { cron: 'skipped', web: 'unknown' }, { cron: 'pending', web: 'pending' }), 2_300)
    ).toBe('[2s] running · builds: cron skipped, web queued')
  })

  test('with many components, a line stays within MAX_LINE and says how many more changed', () => {
    const log = new ProgressLog(0)
    const builds = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`component-${i}`, 'successful']))
    const line = log.update(deployment('running', builds), 0)!
    expect([...line].length).toBeLessThanOrEqual(MAX_LINE)
    expect(MAX_LINE).toBe(160)
    expect(line).toMatch(/ … and \d+ more builds$/)
  })

  test('what a cut line leaves out is counted as builds and runs, apart', () => {
    const names = Array.from({ length: 40 }, (_, i) => `component-${i}`)
    const log = new ProgressLog(0)
    log.update(
      deployment(
        'running',
        Object.fromEntries(names.map((n) => [n, 'running'])),
        Object.fromEntries(names.map((n) => [n, 'pending']))
      ),
      0
    )
    const line = log.update(
      deployment(
        'running',
        Object.fromEntries(names.map((n) => [n, 'successful'])),
        Object.fromEntries(names.map((n) => [n, 'running']))
      ),
      1_000
    )!
    const builds = / … and (\d+) more builds and 40 more runs$/.exec(line)?.[1]
    expect(builds).toBeDefined()
    expect(Number(builds) + [...line.matchAll(/component-\d+ ✓/g)].length).toBe(40)
  })

  test('a line of exactly the limit is whole; one item is always named, and the rest counted', () => {
    const update = (maxLine: number) =>
      new ProgressLog(0, maxLine).update(
        deployment('failed', { web: 'cancelled', 'worker-with-a-long-name': 'failed', api: 'successful' }),
        0
      )
    const whole = '[0s] failed · builds: api ✓, web ⊘, worker-with-a-long-name ✗'
    expect(update([...whole].length)).toBe(whole)
    expect(update([...whole].length - 1)).toBe('[0s] failed · builds: api ✓, web ⊘ … and 1 more build')
    expect(update(10)).toBe('[0s] failed · builds: api ✓ … and 2 more builds')
  })

  test('a heartbeat comes at most once a minute, naming what is still open', () => {
    const log = new ProgressLog(0)
    log.update(deployment('running', { web: 'running', api: 'successful' }), 0)
    expect(log.heartbeat(59_999)).toBeUndefined()
    expect(log.heartbeat(60_000)).toBe('[1m] still running · builds: web running')
    expect(log.heartbeat(100_000)).toBeUndefined()
    expect(log.heartbeat(120_000)).toBe('[2m] still running · builds: web running')
    expect(new ProgressLog(0).heartbeat(600_000)).toBeUndefined()
  })
})
