import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import type { DeployOutcome } from '../../src/engine/deploy.js'
import { cliVoice } from '../../src/cli/reporter.js'
import type { Deployment } from '../../src/engine/toolforge-types.js'
import {
  badInputVerdict,
  checkSummary,
  INPUT_VOICE,
  plainTimes,
  verdict,
  type OutcomeKind
} from '../../src/report/outcome.js'
import type { Settings } from '../../src/settings/settings.js'
import { deployment, deployOutcome } from '../../dev/fixtures/deployments.js'
import { TROUBLESHOOTING } from '../../src/report/troubleshooting.js'

const settings = {
  tool: 'mytool',
  apiUrl: 'https://api.svc.toolforge.org',
  description: 'ci',
  timeoutMs: 1_800_000,
  deployId: undefined,
  toolAddress: 'https://mytool.toolforge.org/'
} as Settings
const outcome = (end: DeployOutcome['end'], extra: Partial<DeployOutcome> = {}): DeployOutcome =>
  deployOutcome(
    end,
    deployment('failed', { web: 'failed' }, { web: 'skipped' }, { long_status: 'Got exception: Some builds failed' }),
    extra
  )

describe('verdicts', () => {
  test.each<[string, DeployOutcome, OutcomeKind, string]>([
    [
      'successful',
      outcome('successful', { deployment: deployment('successful') }),
      'successful',
      'Toolforge deployment successful: mytool'
    ],
    ['failed', outcome('failed'), 'failed', 'Toolforge deployment failed: mytool'],
    [
      'timed out on Toolforge',
      outcome('failed', { deployment: deployment('timed_out') }),
      'timed-out',
      'Toolforge deployment timed out: mytool'
    ],
    [
      'cancelled on Toolforge',
      outcome('failed', { deployment: deployment('cancelled') }),
      'cancelled',
      'Toolforge deployment cancelled: mytool'
    ],
    [
      'stopped waiting',
      outcome('timeout', { deployment: deployment('running') }),
      'stopped-waiting',
      'Stopped waiting for the deployment: mytool'
    ],
    [
      'interrupted',
      outcome('interrupted', { deployment: deployment('running') }),
      'interrupted',
      'Interrupted while following the deployment: mytool'
    ],
    [
      'refused',
      outcome('error', {
        deployment: undefined,
        error: new ApiError('http', 'x', { status: 401, reachedServer: true })
      }),
      'refused',
      'Toolforge refused the deployment: mytool'
    ],
    [
      'unreachable',
      outcome('error', { deployment: undefined, error: new ApiError('network', 'x', { reachedServer: false }) }),
      'unreachable',
      'Toolforge could not be reached: mytool'
    ],
    [
      'unknown creation',
      outcome('error', {
        deployment: undefined,
        mayHaveStarted: true,
        error: new ApiError('network', 'reset', { reachedServer: true })
      }),
      'unknown-creation',
      'Not known whether a deployment was started: mytool'
    ],
    [
      'started without waiting',
      outcome('no-wait', { deployment: deployment('pending') }),
      'started',
      'Toolforge deployment started: mytool'
    ]
  ])('%s has its own honest title', (_name, given, kind, title) => {
    const v = verdict(given, settings, INPUT_VOICE)
    expect(v.kind).toBe(kind)
    expect(v.title).toBe(title)
    expect(v.ok).toBe(kind === 'successful' || kind === 'started')
  })

  test('a build failure advises the build log and a rebuild, in the words of the front end', () => {
    expect(verdict(outcome('failed'), settings, INPUT_VOICE).nextSteps.map((s) => s.text)).toContain(
      'If a build failed for a temporary reason, build again: force-build: true'
    )
    expect(verdict(outcome('failed'), settings, cliVoice(settings)).nextSteps.map((s) => s.text)).toContain(
      'If a build failed for a temporary reason, build again: --force-build'
    )
    expect(verdict(outcome('failed'), settings, INPUT_VOICE).nextSteps[0]).toEqual({
      text: 'Read the build log of web',
      command: 'toolforge build logs web-build'
    })
  })

  test('a run failure advises the job logs, not a rebuild', () => {
    const steps = verdict(
      outcome('failed', { deployment: deployment('failed', { web: 'successful' }, { web: 'failed' }) }),
      settings,
      INPUT_VOICE
    ).nextSteps
    expect(steps[0]).toEqual({
      text: "Read the logs of web, and fix its run settings with the jobs service's reason above",
      command: 'toolforge jobs logs web'
    })
    expect(steps.some((s) => s.text.includes('force-build'))).toBe(false)
  })

  test('stopped waiting or interrupted: how to follow the deployment, per front end', () => {
    const id = '20250703-075322-5zxh2hip26'
    expect(
      verdict(outcome('interrupted', { deployment: deployment('running') }), settings, cliVoice(settings)).nextSteps[0]!
        .text
    ).toBe(`It continues on Toolforge; follow it with toolforge-deploy --tool mytool --deploy-id ${id}`)
    expect(
      verdict(outcome('timeout', { deployment: deployment('running') }), settings, INPUT_VOICE).nextSteps[0]!.text
    ).toBe(`Follow it to the end with deploy-id: ${id}, or give it longer: timeout: 1h`)
  })

  test('one statement of the problem; none when all went well', () => {
    expect(verdict(outcome('failed'), settings, INPUT_VOICE).problem).toBe(
      'Toolforge deployment 20250703-075322-5zxh2hip26 of mytool failed: Got exception: Some builds failed'
    )
    expect(
      verdict(outcome('successful', { deployment: deployment('successful') }), settings, INPUT_VOICE).problem
    ).toBeUndefined()
  })

  test('timed out: what was still going on, not the "Started at" Toolforge leaves in place', () => {
    const d = deployment(
      'timed_out',
      { web: 'running', worker: 'unknown', cron: 'skipped' },
      { web: 'pending', worker: 'pending', cron: 'pending' },
      { long_status: 'Started at 2026-11-28 10:00:00.020000+00:00' }
    )
    expect(verdict(outcome('failed', { deployment: d }), settings, INPUT_VOICE).problem).toBe(
      'Toolforge deployment 20250703-075322-5zxh2hip26 of mytool timed out before the builds of web and worker and the run of cron had finished; Toolforge says: started at 2026-11-28 10:00:00 UTC'
    )
    const runsLeft = deployment('timed_out', { web: 'successful' }, { web: 'pending' }, { long_status: '' })
    expect(verdict(outcome('failed', { deployment: runsLeft }), settings, INPUT_VOICE).problem).toBe(
      'Toolforge deployment 20250703-075322-5zxh2hip26 of mytool timed out before the run of web had finished'
    )
  })

  test('timed out: one build or three, in order, and what Toolforge said only when it said something', () => {
    const problem = (d: Deployment) => verdict(outcome('failed', { deployment: d }), settings, INPUT_VOICE).problem
    const one = deployment('timed_out', { web: 'running' }, { web: 'pending' }, { long_status: '' })
    expect(problem(one)).toBe(
      'Toolforge deployment 20250703-075322-5zxh2hip26 of mytool timed out before the build of web had finished'
    )
    const three = deployment(
      'timed_out',
      { worker: 'running', web: 'pending', api: 'unknown' },
      {},
      { long_status: 'Finished at 2026-11-28 10:00:00+00:00' }
    )
    expect(problem(three)).toBe(
      'Toolforge deployment 20250703-075322-5zxh2hip26 of mytool timed out before the builds of api, web and worker had finished; Toolforge says: finished at 2026-11-28 10:00:00 UTC'
    )
    const done = deployment('timed_out', { web: 'successful' }, { web: 'successful' }, { long_status: '' })
    expect(problem(done)).toBe('Toolforge deployment 20250703-075322-5zxh2hip26 of mytool timed out')
  })

  test('only a whole "Started at" or "Finished at" text is put in plain words', () => {
    expect(plainTimes('Started at 2026-11-28 06:45:37.123456+00:00')).toBe('started at 2026-11-28 06:45:37 UTC')
    expect(plainTimes('Finished at 2026-11-28 06:45:37+00:00')).toBe('finished at 2026-11-28 06:45:37 UTC')
    for (const text of [
      'Build Started at 2026-11-28 06:45:37+00:00',
      'Started at 2026-11-28 06:45:37+00:00, twice',
      'Started at 2026-11-28 06:45:37.+00:00'
    ])
      expect(plainTimes(text)).toBe(text)
  })

  test('a tool that does not serve: the problem, the logs to read, and the check in words', () => {
    const check = {
      result: 'failed' as const,
      target: { url: 'https://mytool.toolforge.org/healthz', strict: true, component: 'web' },
      answers: ['503', '503', 'no answer', '503'],
      durationMs: 180_000
    }
    const v = verdict(outcome('not-serving', { deployment: deployment('successful'), check }), settings, INPUT_VOICE)
    expect(v.title).toBe('Deployed, but not serving: mytool')
    expect(v.problem).toBe(
      'Toolforge deployed 20250703-075322-5zxh2hip26 successfully, but https://mytool.toolforge.org/healthz did not answer as a serving health check within 3m (503 × 3, no answer)'
    )
    expect(v.nextSteps.map((s) => s.command)).toEqual([
      'toolforge webservice logs',
      'toolforge jobs logs web',
      undefined
    ])
    expect(
      checkSummary(
        outcome('successful', { check: { ...check, result: 'passed', answers: ['503', '200'], durationMs: 4_000 } })
      )
    ).toBe('https://mytool.toolforge.org/healthz answered 200 after 4s (2 tries)')
    expect(
      checkSummary(
        outcome('successful', { check: { result: 'skipped', reason: 'turned off', answers: [], durationMs: 0 } })
      )
    ).toBe('not checked: turned off')
    const root = {
      ...check,
      target: { url: 'https://mytool.toolforge.org/', strict: false },
      answers: ['404'],
      durationMs: 60_000
    }
    expect(checkSummary(outcome('not-serving', { check: root }))).toBe(
      'https://mytool.toolforge.org/ did not answer as a serving web service within 1m (404)'
    )
  })

  const ID = '20250703-075322-5zxh2hip26'
  const ended = (end: DeployOutcome['end'], extra: Partial<DeployOutcome> = {}) =>
    outcome(end, { deployment: undefined, ...extra })
  const http = (status: number, said?: string[]) =>
    new ApiError('http', `Toolforge answered HTTP ${status}`, { status, toolforgeErrors: said, reachedServer: true })
  const byId = { ...settings, deployId: ID }
  test.each<[string, DeployOutcome, Settings, string, Array<{ text: string; command?: string }>]>([
    [
      'a refused token',
      ended('error', { error: http(401, ["The token passed '***' does not match"]) }),
      settings,
      "creating the deployment failed: Toolforge refused the deploy token (HTTP 401): The token passed '***' does not match",
      [
        {
          text: 'Create a new deploy token and store it where this run reads it',
          command: 'toolforge components deploy-token create'
        }
      ]
    ],
    [
      'a refused token, no reason',
      ended('error', { error: http(401) }),
      settings,
      'creating the deployment failed: Toolforge refused the deploy token (HTTP 401): no reason given',
      [
        {
          text: 'Create a new deploy token and store it where this run reads it',
          command: 'toolforge components deploy-token create'
        }
      ]
    ],
    [
      'a forbidden request',
      ended('error', { error: http(403, ['nope']) }),
      settings,
      'creating the deployment failed: Toolforge refused the request (HTTP 403): nope',
      []
    ],
    [
      'a forbidden request, no reason',
      ended('error', { error: http(403) }),
      settings,
      'creating the deployment failed: Toolforge refused the request (HTTP 403): no reason given',
      []
    ],
    [
      'nothing to deploy',
      ended('error', { error: http(404) }),
      settings,
      'creating the deployment failed: Toolforge found nothing to deploy for tool mytool (HTTP 404): not found',
      [
        {
          text: 'Check that the tool name is right (the input tool) and that it has a components config',
          command: 'toolforge components config show'
        }
      ]
    ],
    [
      'an unknown deployment id',
      ended('error', { error: http(404, ['Deployment not found']) }),
      byId,
      `following deployment ${ID} failed: Toolforge knows no deployment ${ID} of tool mytool (HTTP 404): Deployment not found`,
      [
        {
          text: 'Toolforge keeps the last 25 deployments of a tool; list them',
          command: 'toolforge components deployment list'
        }
      ]
    ],
    [
      'an unknown deployment id, no reason',
      ended('error', { error: http(404) }),
      byId,
      `following deployment ${ID} failed: Toolforge knows no deployment ${ID} of tool mytool (HTTP 404): not found`,
      [
        {
          text: 'Toolforge keeps the last 25 deployments of a tool; list them',
          command: 'toolforge components deployment list'
        }
      ]
    ],
    [
      'a conflict',
      ended('error', { error: http(409, ['another in progress']) }),
      settings,
      'creating the deployment failed: another deployment of mytool is in progress on Toolforge (HTTP 409): another in progress',
      [{ text: 'Queue behind the deployment in progress instead: on-conflict: wait' }]
    ],
    [
      'a conflict, no reason',
      ended('error', { error: http(409) }),
      settings,
      'creating the deployment failed: another deployment of mytool is in progress on Toolforge (HTTP 409): conflict',
      [{ text: 'Queue behind the deployment in progress instead: on-conflict: wait' }]
    ],
    [
      'another refusal',
      ended('error', { error: http(500) }),
      settings,
      'creating the deployment failed: Toolforge answered HTTP 500',
      []
    ],
    [
      'an unreachable API',
      ended('error', {
        error: new ApiError('network', 'could not connect to the API (ECONNREFUSED)', { reachedServer: false })
      }),
      settings,
      'creating the deployment failed: could not connect to the API (ECONNREFUSED)',
      [{ text: "Check the API address (the input api-url) and Toolforge's status" }]
    ],
    [
      'an API lost while following',
      ended('error', {
        deployment: deployment('running'),
        error: new ApiError('network', 'gave up', { reachedServer: true })
      }),
      settings,
      `following deployment ${ID} failed: gave up`,
      [{ text: 'See the deployment on Toolforge', command: `toolforge components deployment show ${ID}` }]
    ],
    [
      'a creation of unknown outcome',
      ended('error', { mayHaveStarted: true, error: http(502) }),
      settings,
      'creating the deployment failed with an unknown outcome (Toolforge answered HTTP 502): a deployment may have been started on Toolforge. It was not retried, so that no second one is started.',
      [
        {
          text: 'Check whether a deployment was started before running again',
          command: 'toolforge components deployment list'
        }
      ]
    ],
    [
      'a creation of unknown outcome, not from the API',
      ended('error', { mayHaveStarted: true, error: new Error('boom') }),
      settings,
      'creating the deployment failed with an unknown outcome (boom): a deployment may have been started on Toolforge. It was not retried, so that no second one is started.',
      [
        {
          text: 'Check whether a deployment was started before running again',
          command: 'toolforge components deployment list'
        }
      ]
    ],
    [
      'time out while queued',
      ended('timeout'),
      settings,
      "this run's timeout (30m) expired while another deployment of mytool was still in progress on Toolforge, so none was created.",
      [
        {
          text: 'See what else is deploying, or give it longer: timeout: 1h',
          command: 'toolforge components deployment list'
        }
      ]
    ],
    [
      'an interruption before creation',
      ended('interrupted'),
      settings,
      'interrupted before a deployment was created.',
      []
    ],
    [
      'an interruption during the check',
      ended('interrupted', {
        deployment: deployment('successful'),
        check: { result: 'failed', answers: [], durationMs: 0 }
      }),
      settings,
      `interrupted while checking that mytool serves; Toolforge had deployed ${ID} successfully.`,
      []
    ],
    [
      'an interruption while following',
      ended('interrupted', { deployment: deployment('running') }),
      settings,
      `interrupted; deployment ${ID} continues on Toolforge (a deploy token cannot cancel it). Last status: running.`,
      [
        { text: `It continues on Toolforge; follow it with deploy-id: ${ID}` },
        { text: 'See the deployment on Toolforge', command: `toolforge components deployment show ${ID}` }
      ]
    ],
    [
      'a refusal while following',
      ended('error', { error: http(500) }),
      byId,
      `following deployment ${ID} failed: Toolforge answered HTTP 500`,
      [{ text: 'See the deployment on Toolforge', command: `toolforge components deployment show ${ID}` }]
    ],
    [
      'a refusal with two reasons',
      ended('error', { error: http(403, ['no access', 'token expired']) }),
      settings,
      'creating the deployment failed: Toolforge refused the request (HTTP 403): no access; token expired',
      []
    ],
    [
      'time out before a given deployment was read',
      ended('timeout'),
      byId,
      `this run's timeout (30m) expired while deployment ${ID} was in progress on Toolforge. The deployment goes on there; this run no longer follows it (toolforge components deployment show ${ID}).`,
      [{ text: `Follow it to the end with deploy-id: ${ID}, or give it longer: timeout: 1h` }]
    ],
    [
      'an interruption before a given deployment was read',
      ended('interrupted'),
      byId,
      `interrupted; deployment ${ID} continues on Toolforge (a deploy token cannot cancel it). Last status: unknown.`,
      [
        { text: `It continues on Toolforge; follow it with deploy-id: ${ID}` },
        { text: 'See the deployment on Toolforge', command: `toolforge components deployment show ${ID}` }
      ]
    ],
    [
      'a cancellation on Toolforge',
      ended('failed', { deployment: deployment('cancelled', {}, {}, { long_status: '' }) }),
      settings,
      `Toolforge deployment ${ID} of mytool was cancelled: no reason given`,
      [
        {
          text: 'Someone cancelled it on Toolforge; deploy again when ready',
          command: `toolforge components deployment show ${ID}`
        }
      ]
    ]
  ])('%s: the problem in one statement, and what to do next', (_name, given, settings, problem, nextSteps) => {
    const v = verdict(given, settings, INPUT_VOICE)
    expect(v.problem).toBe(problem)
    // Then, always last, where this ending is explained.
    expect(v.nextSteps.slice(0, -1)).toEqual(nextSteps)
    expect(v.nextSteps.at(-1)).toEqual({
      text: 'What this means, and how to fix it',
      link: expect.stringMatching(new RegExp(`^${TROUBLESHOOTING}#[a-z0-9-]+$`))
    })
  })

  test('the command names its flags where the action names its inputs', () => {
    const steps = (given: DeployOutcome) =>
      verdict(given, settings, cliVoice(settings))
        .nextSteps.filter((s) => !s.link)
        .map((s) => s.text)
    expect(steps(ended('error', { error: http(404) }))).toEqual([
      'Check that the tool name is right (--tool) and that it has a components config'
    ])
    expect(steps(ended('error', { error: http(409) }))).toEqual([
      'Queue behind the deployment in progress instead: --on-conflict wait'
    ])
    expect(steps(ended('timeout'))).toEqual(['See what else is deploying, or give it longer: --timeout 1h'])
    expect(steps(ended('error', { error: new ApiError('network', 'x', { reachedServer: false }) }))).toEqual([
      "Check the API address (--api-url) and Toolforge's status"
    ])
  })

  test('bad input has its own title, and says nothing was sent', () => {
    expect(badInputVerdict('Input \'wait\' is "maybe"')).toEqual({
      kind: 'bad-input',
      ok: false,
      title: 'Not deployed: bad input',
      problem: 'Input \'wait\' is "maybe"',
      nextSteps: [
        { text: 'Nothing was sent to Toolforge: correct the value and run again' },
        { text: 'What this means, and how to fix it', link: `${TROUBLESHOOTING}#an-input-is-refused` }
      ]
    })
  })

  test('a deployment started without waiting has no problem and no next step', () => {
    const v = verdict(ended('no-wait', { deployment: deployment('pending') }), settings, INPUT_VOICE)
    expect(v).toMatchObject({ kind: 'started', ok: true, problem: undefined, nextSteps: [] })
  })
})
