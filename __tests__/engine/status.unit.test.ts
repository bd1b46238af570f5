import { describe, expect, test } from '@jest/globals'
import {
  buildsStarting,
  failedComponents,
  isComponentDone,
  isFinal,
  isKnownStatus,
  phaseOf,
  statusOf
} from '../../src/engine/status.js'
import { deployment } from '../../dev/fixtures/deployments.js'
import { NO_ID_YET } from '../../src/engine/toolforge-types.js'

describe('isFinal', () => {
  test.each(['successful', 'failed', 'timed_out', 'cancelled'])('%s is final', (status) =>
    expect(isFinal(status)).toBe(true)
  )
  test.each(['pending', 'running', 'cancelling', 'paused', 'SUCCESSFUL', ''])('%j is not final', (status) =>
    expect(isFinal(status)).toBe(false)
  )
  test('unknown statuses are recognised as unknown', () => {
    expect(isKnownStatus('cancelling')).toBe(true)
    expect(isKnownStatus('paused')).toBe(false)
  })
})

describe('a component done', () => {
  test.each(['failed', 'successful', 'skipped', 'cancelled'])('a build %s will not change', (state) =>
    expect(isComponentDone('build', state)).toBe(true)
  )
  test.each(['failed', 'successful', 'skipped'])('a run %s will not change', (state) =>
    expect(isComponentDone('run', state)).toBe(true)
  )
  test.each([
    ['build', 'pending'],
    ['build', 'unknown'],
    ['build', 'running'],
    ['run', 'pending'],
    ['run', 'cancelled']
  ] as const)('a %s %s may still change', (stage, state) => expect(isComponentDone(stage, state)).toBe(false))

  test('a deployment the task has not started yet is pending', () => {
    const created = deployment('pending')
    delete created.status
    expect(statusOf(created)).toBe('pending')
    expect(phaseOf(created)).toBe('queued')
  })
})

describe('phaseOf', () => {
  test.each([
    ['pending deployment', deployment('pending', { web: 'pending' }, { web: 'pending' }), 'queued'],
    ['builds queued', deployment('running', { web: 'pending', api: 'pending' }), 'queued'],
    ['a build running', deployment('running', { web: 'successful', api: 'running' }, { web: 'pending' }), 'building'],
    ['runs under way', deployment('running', { web: 'successful' }, { web: 'pending' }), 'running-components'],
    ['every run done', deployment('running', { web: 'successful' }, { web: 'successful' }), 'finishing'],
    [
      'one run of two done',
      deployment('running', { web: 'successful', api: 'skipped' }, { web: 'successful', api: 'pending' }),
      'running-components'
    ],
    [
      'a component the builds map does not list yet',
      deployment('running', { web: 'successful' }, { web: 'pending', api: 'pending' }),
      'queued'
    ],
    [
      'every build reused or skipped, runs pending',
      deployment('running', { web: 'skipped' }, { web: 'pending' }),
      'running-components'
    ],
    [
      'a build failed, all done',
      deployment('running', { web: 'failed', api: 'successful' }, { web: 'pending' }),
      'failing'
    ],
    ['cancelling', deployment('cancelling', { web: 'running' }), 'finishing'],
    ['an unknown status', deployment('paused', { web: 'running' }), 'building'],
    ['final', deployment('failed'), 'final']
  ])('%s', (_name, d, phase) => expect(phaseOf(d)).toBe(phase))
})

describe('failedComponents', () => {
  test('lists failed builds, then failed runs, by name', () => {
    const d = deployment(
      'failed',
      { web: 'failed', api: 'failed', cron: 'successful' },
      { web: 'failed', cron: 'failed', api: 'skipped' }
    )
    expect(failedComponents(d).map((f) => `${f.stage} ${f.component}`)).toEqual([
      'build api',
      'build web',
      'run cron',
      'run web'
    ])
  })

  test("each with Toolforge's reason, or none when it gave none", () => {
    const d = deployment('failed', { web: 'failed', api: 'failed' }, { web: 'failed', cron: 'failed' })
    d.builds.web!.build_long_status = 'exit code 1'
    d.runs.web!.run_long_status = 'Unable to parse cron expression'
    expect(failedComponents(d)).toEqual([
      { stage: 'build', component: 'api', reason: '' },
      { stage: 'build', component: 'web', reason: 'exit code 1' },
      { stage: 'run', component: 'cron', reason: '' },
      { stage: 'run', component: 'web', reason: 'Unable to parse cron expression' }
    ])
  })
})

describe('buildsStarting', () => {
  const notYet = (d: ReturnType<typeof deployment>, name: string) => ({
    ...d,
    builds: { ...d.builds, [name]: { build_id: NO_ID_YET, build_status: 'pending' } }
  })
  const twoPending = deployment('running', { web: 'pending', api: 'pending' }, { web: 'pending', api: 'pending' })
  test.each([
    ['no build started yet', notYet(notYet(twoPending, 'web'), 'api'), 'none'],
    ['one build started, one not yet', notYet(twoPending, 'api'), 'started'],
    ['every build started, none looked at', twoPending, 'started'],
    [
      'one started beside one reused',
      deployment('running', { web: 'pending', api: 'skipped' }, { web: 'pending', api: 'pending' }),
      'started'
    ],
    ['the first pass has looked at them', deployment('running', { web: 'unknown', api: 'pending' }), undefined],
    ['a build running', deployment('running', { web: 'running' }), undefined],
    ['nothing to build', deployment('running', { web: 'skipped' }, { web: 'pending' }), undefined],
    ['final', deployment('successful', { web: 'pending' }), undefined]
  ])('%s', (_name, d, expected) => expect(buildsStarting(d)).toBe(expected))
})
