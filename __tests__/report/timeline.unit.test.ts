import { describe, expect, test } from '@jest/globals'
import { CHARTED_COMPONENTS, TimelineRecorder, timelineRows, type TimelineModel } from '../../src/report/timeline.js'
import { deployment } from '../../dev/fixtures/deployments.js'

describe('TimelineRecorder', () => {
  test('spans run from the first check showing a state to the first showing it over', () => {
    const recorder = new TimelineRecorder(1_000)
    const seen = (at: number, builds: Record<string, string>, runs: Record<string, string>) =>
      recorder.observe(deployment('running', builds, runs), 1_000 + at)
    // As created: builds not asked for yet, with no id.
    const created = deployment('pending', { web: 'pending', cron: 'pending' }, { web: 'pending', cron: 'pending' })
    for (const build of Object.values(created.builds)) build.build_id = 'no-id-yet'
    recorder.observe(created, 1_000)
    seen(300, { web: 'unknown', cron: 'skipped' }, { web: 'pending', cron: 'pending' })
    seen(2_400, { web: 'running', cron: 'skipped' }, { web: 'pending', cron: 'pending' })
    seen(22_400, { web: 'successful', cron: 'skipped' }, { web: 'pending', cron: 'pending' })
    seen(24_500, { web: 'successful', cron: 'skipped' }, { web: 'successful', cron: 'successful' })
    // Seen over again: it ended when first seen over.
    seen(26_000, { web: 'successful', cron: 'skipped' }, { web: 'successful', cron: 'successful' })
    const model = recorder.model()
    expect(model.components.web).toEqual({
      waiting: { startMs: 300, endMs: 2_400 },
      build: { startMs: 2_400, endMs: 22_400 },
      run: { startMs: 22_400, endMs: 24_500 }
    })
    expect(model.components.cron).toEqual({ run: { startMs: 22_400, endMs: 24_500 } })
    expect(model.precisionMs).toBe(20_000)
    expect(model.observed).toEqual({ startMs: 0, endMs: 26_000 })
    expect(model.queued).toBeUndefined()
  })

  test('a build seen waiting, then over, built between the last check that saw it waiting and the first that saw it over', () => {
    const recorder = new TimelineRecorder(0)
    recorder.observe(deployment('running', { web: 'unknown' }), 100)
    recorder.observe(deployment('running', { web: 'unknown' }), 300)
    recorder.observe(deployment('failed', { web: 'failed' }, { web: 'skipped' }), 4_300)
    expect(recorder.model().components.web).toEqual({
      waiting: { startMs: 100, endMs: 300 },
      build: { startMs: 300, endMs: 4_300 },
      failed: 'build'
    })
    // The first check was 100 ms after the recorder started.
    expect(recorder.model().observed).toEqual({ startMs: 100, endMs: 4_300 })
    // Waiting is `pending` as much as `unknown`, once the build has an id.
    const pending = new TimelineRecorder(0)
    for (const at of [100, 300]) pending.observe(deployment('running', { web: 'pending' }), at)
    pending.observe(deployment('running', { web: 'successful' }), 4_300)
    expect(pending.model().components.web).toEqual({
      waiting: { startMs: 100, endMs: 300 },
      build: { startMs: 300, endMs: 4_300 }
    })
  })

  test('a build first seen running when the deployment ended is drawn as a build from the last check that saw it waiting', () => {
    const ended = new TimelineRecorder(0)
    ended.observe(deployment('running', { web: 'unknown' }), 100)
    ended.observe(deployment('running', { web: 'unknown' }), 300)
    ended.observe(deployment('timed_out', { web: 'running' }), 4_300)
    expect(ended.model().components.web).toEqual({
      waiting: { startMs: 100, endMs: 300 },
      build: { startMs: 300, endMs: 4_300 }
    })
    // Seen running for a while, it started when first seen so.
    const seen = new TimelineRecorder(0)
    seen.observe(deployment('running', { web: 'unknown' }), 100)
    seen.observe(deployment('running', { web: 'running' }), 2_100)
    seen.observe(deployment('timed_out', { web: 'running' }), 4_100)
    expect(seen.model().components.web).toEqual({
      waiting: { startMs: 100, endMs: 2_100 },
      build: { startMs: 2_100, endMs: 4_100 }
    })
  })

  test('a build seen waiting at one check only was not seen to wait', () => {
    const recorder = new TimelineRecorder(0)
    recorder.observe(deployment('running', { web: 'unknown' }), 300)
    recorder.observe(deployment('running', { web: 'successful' }), 4_300)
    expect(recorder.model().components.web).toEqual({ build: { startMs: 300, endMs: 4_300 } })
  })

  test('time queued behind another deployment is its own span', () => {
    const recorder = new TimelineRecorder(0)
    recorder.queuedUntil(20_000)
    expect(recorder.model().queued).toEqual({ startMs: 0, endMs: 20_000 })
  })
})

describe('timelineRows', () => {
  const model = (count: number): TimelineModel => {
    const components: TimelineModel['components'] = { idle: {} }
    for (let i = 0; i < count; i++) {
      components[`c${i}`] = {
        waiting: { startMs: 100 * i, endMs: 1_000 + i },
        build: { startMs: 1_000 + i, endMs: 5_000 + 10 * i },
        ...(i % 2 ? { run: { startMs: 6_000, endMs: 7_000 + i } } : {})
      }
    }
    return { startedAt: 0, observed: { startMs: 0, endMs: 9_000 }, components, precisionMs: 200 }
  }

  test('one row per component seen doing something, up to the limit', () => {
    const rows = timelineRows(model(CHARTED_COMPONENTS))
    expect(rows.map(([name]) => name)).toEqual(Array.from({ length: CHARTED_COMPONENTS }, (_, i) => `c${i}`))
    expect(rows[1]![1]).toEqual(model(CHARTED_COMPONENTS).components.c1)
  })

  test('beyond it, one row whose phases run from the first component in them to the last', () => {
    const count = CHARTED_COMPONENTS + 1
    expect(timelineRows(model(count))).toEqual([
      [
        `all ${count} components`,
        {
          waiting: { startMs: 0, endMs: 1_000 + count - 1 },
          build: { startMs: 1_000, endMs: 5_000 + 10 * (count - 1) },
          run: { startMs: 6_000, endMs: 7_000 + count - 2 }
        }
      ]
    ])
  })
})
