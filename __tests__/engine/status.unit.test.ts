import { describe, expect, test } from '@jest/globals'
import { failedComponents, isFinal, isKnownStatus, phaseOf } from '../../src/engine/status.js'
import { deployment } from '../../__fixtures__/deployments.js'

describe('isFinal', () => {
  test.each(['successful', 'failed', 'timed_out', 'cancelled'])('%s is final', (status) => expect(isFinal(status)).toBe(true))
  test.each(['pending', 'running', 'cancelling', 'paused', 'SUCCESSFUL', ''])('%j is not final', (status) =>
    expect(isFinal(status)).toBe(false)
  )
  test('unknown statuses are recognised as unknown', () => {
    expect(isKnownStatus('cancelling')).toBe(true)
    expect(isKnownStatus('paused')).toBe(false)
  })
})

describe('phaseOf', () => {
  test.each([
    ['pending deployment', deployment('pending', { web: 'pending' }, { web: 'pending' }), 'queued'],
    ['builds waiting for a slot', deployment('running', { web: 'pending', api: 'pending' }), 'queued'],
    ['a build running', deployment('running', { web: 'successful', api: 'running' }, { web: 'pending' }), 'building'],
    ['runs under way', deployment('running', { web: 'successful' }, { web: 'pending' }), 'running-components'],
    ['every run done', deployment('running', { web: 'successful' }, { web: 'successful' }), 'finishing'],
    ['a build failed, all done', deployment('running', { web: 'failed', api: 'successful' }, { web: 'pending' }), 'finishing'],
    ['cancelling', deployment('cancelling', { web: 'running' }), 'finishing'],
    ['an unknown status', deployment('paused', { web: 'running' }), 'building'],
    ['final', deployment('failed'), 'final']
  ])('%s', (_name, d, phase) => expect(phaseOf(d)).toBe(phase))
})

describe('failedComponents', () => {
  test('lists failed builds, then failed runs, by name', () => {
    const d = deployment('failed', { web: 'failed', api: 'failed', cron: 'successful' }, { cron: 'failed', web: 'skipped' })
    expect(failedComponents(d).map((f) => `${f.stage} ${f.component}`)).toEqual(['build api', 'build web', 'run cron'])
  })
})
