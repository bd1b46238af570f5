import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import type { DeployOutcome } from '../../src/engine/deploy.js'
import { ACTION_VOICE } from '../../src/action/reporter.js'
import { cliVoice } from '../../src/cli/reporter.js'
import { checkSummary, verdict, type OutcomeKind } from '../../src/report/outcome.js'
import type { Settings } from '../../src/settings/settings.js'
import { deployment } from '../../__fixtures__/deployments.js'

const settings = { tool: 'mytool', apiUrl: 'https://api.svc.toolforge.org', description: 'ci', timeoutMs: 1_800_000, deployId: undefined, toolAddress: 'https://mytool.toolforge.org/' } as Settings
const outcome = (end: DeployOutcome['end'], extra: Partial<DeployOutcome> = {}): DeployOutcome => ({
  end,
  deployment: deployment('failed', { web: 'failed' }, { web: 'skipped' }, { long_status: 'Got exception: Some builds failed' }),
  error: undefined,
  mayHaveStarted: false,
  startedAt: 0,
  endedAt: 95_000,
  queuedMs: 0,
  ...extra
})

describe('verdicts', () => {
  test.each<[string, DeployOutcome, OutcomeKind, string]>([
    ['successful', outcome('successful', { deployment: deployment('successful') }), 'successful', 'Toolforge deployment successful: mytool'],
    ['failed', outcome('failed'), 'failed', 'Toolforge deployment failed: mytool'],
    ['timed out on Toolforge', outcome('failed', { deployment: deployment('timed_out') }), 'timed-out', 'Toolforge deployment timed out on Toolforge: mytool'],
    ['cancelled on Toolforge', outcome('failed', { deployment: deployment('cancelled') }), 'cancelled', 'Toolforge deployment cancelled on Toolforge: mytool'],
    ['stopped waiting', outcome('timeout', { deployment: deployment('running') }), 'stopped-waiting', 'Stopped waiting for the Toolforge deployment: mytool'],
    ['interrupted', outcome('interrupted', { deployment: deployment('running') }), 'interrupted', 'Interrupted while following the Toolforge deployment: mytool'],
    ['refused', outcome('error', { deployment: undefined, error: new ApiError('http', 'x', { status: 401, reachedServer: true }) }), 'refused', 'Toolforge refused the deployment: mytool'],
    ['unreachable', outcome('error', { deployment: undefined, error: new ApiError('network', 'x', { reachedServer: false }) }), 'unreachable', 'Toolforge could not be reached: mytool'],
    ['unknown creation', outcome('error', { deployment: undefined, mayHaveStarted: true, error: new ApiError('network', 'reset', { reachedServer: true }) }), 'unknown-creation', 'Not known whether a deployment was started: mytool']
  ])('%s has its own honest title', (_name, given, kind, title) => {
    const v = verdict(given, settings, ACTION_VOICE)
    expect(v.kind).toBe(kind)
    expect(v.title).toBe(title)
    expect(v.ok).toBe(kind === 'successful')
  })

  test('a build failure advises the build log and a rebuild, in the words of the front end', () => {
    expect(verdict(outcome('failed'), settings, ACTION_VOICE).nextSteps.map((s) => s.text)).toContain('If a build failed for a passing reason, build again: force-build: true')
    expect(verdict(outcome('failed'), settings, cliVoice(settings)).nextSteps.map((s) => s.text)).toContain('If a build failed for a passing reason, build again: --force-build')
    expect(verdict(outcome('failed'), settings, ACTION_VOICE).nextSteps[0]).toEqual({ text: 'Read the build log of web', command: 'toolforge build logs web-build' })
  })

  test('a run failure advises the job logs, not a rebuild', () => {
    const steps = verdict(outcome('failed', { deployment: deployment('failed', { web: 'successful' }, { web: 'failed' }) }), settings, ACTION_VOICE).nextSteps
    expect(steps[0]).toEqual({ text: "Read the logs of web, and fix its run settings with the jobs service's reason above", command: 'toolforge jobs logs web' })
    expect(steps.some((s) => s.text.includes('force-build'))).toBe(false)
  })

  test('stopped waiting or interrupted: how to follow the deployment, per front end', () => {
    const id = '20250703-075322-5zxh2hip26'
    expect(verdict(outcome('interrupted', { deployment: deployment('running') }), settings, cliVoice(settings)).nextSteps[0]!.text).toBe(
      `It goes on on Toolforge; follow it with toolforge-deploy --tool mytool --deploy-id ${id}`
    )
    expect(verdict(outcome('timeout', { deployment: deployment('running') }), settings, ACTION_VOICE).nextSteps[0]!.text).toBe(
      `It goes on on Toolforge; follow it to the end with deploy-id: ${id}, or give it longer: timeout: 1h`
    )
  })

  test('one statement of the problem; none when all went well', () => {
    expect(verdict(outcome('failed'), settings, ACTION_VOICE).problem).toBe('Toolforge deployment 20250703-075322-5zxh2hip26 of mytool ended failed: Got exception: Some builds failed')
    expect(verdict(outcome('successful', { deployment: deployment('successful') }), settings, ACTION_VOICE).problem).toBeUndefined()
  })

  test('timed out: what was still going on, not the "Started at" Toolforge leaves in place', () => {
    const d = deployment('timed_out', { web: 'running', worker: 'unknown', cron: 'skipped' }, { web: 'pending', worker: 'pending', cron: 'pending' }, { long_status: 'Started at 2026-11-28 10:00:00.020000+00:00' })
    expect(verdict(outcome('failed', { deployment: d }), settings, ACTION_VOICE).problem).toBe(
      'Toolforge deployment 20250703-075322-5zxh2hip26 of mytool ended timed_out before the builds of web and worker and the run of cron had finished; Toolforge says: started at 2026-11-28 10:00:00 UTC'
    )
    const runsLeft = deployment('timed_out', { web: 'successful' }, { web: 'pending' }, { long_status: '' })
    expect(verdict(outcome('failed', { deployment: runsLeft }), settings, ACTION_VOICE).problem).toBe('Toolforge deployment 20250703-075322-5zxh2hip26 of mytool ended timed_out before the run of web had finished')
  })

  test('a tool that does not serve: the problem, the logs to read, and the check in words', () => {
    const check = { result: 'failed' as const, target: { url: 'https://mytool.toolforge.org/healthz', strict: true, component: 'web' }, answers: ['503', '503', 'no answer', '503'], durationMs: 180_000 }
    const v = verdict(outcome('not-serving', { deployment: deployment('successful'), check }), settings, ACTION_VOICE)
    expect(v.title).toBe('Deployed, but not serving: mytool')
    expect(v.problem).toBe(
      'Toolforge deployed 20250703-075322-5zxh2hip26 successfully, but https://mytool.toolforge.org/healthz did not answer as a serving health check within 3m (503 × 3, no answer)'
    )
    expect(v.nextSteps.map((s) => s.command)).toEqual(['toolforge webservice logs', 'toolforge jobs logs web', undefined])
    expect(checkSummary(outcome('successful', { check: { ...check, result: 'passed', answers: ['503', '200'], durationMs: 4_000 } }))).toBe(
      'https://mytool.toolforge.org/healthz answered 200 after 4s (2 tries)'
    )
    expect(checkSummary(outcome('successful', { check: { result: 'skipped', reason: 'turned off', answers: [], durationMs: 0 } }))).toBe('not checked: turned off')
  })
})
