import { describe, expect, test } from '@jest/globals'
import type { DeployOutcome } from '../../src/engine/deploy.js'
import { INPUT_VOICE } from '../../src/report/outcome.js'
import { ApiError } from '../../src/engine/api-error.js'
import { summaryModel } from '../../src/report/summary.js'
import type { Settings } from '../../src/settings/settings.js'
import { deployment, deployOutcome } from '../../dev/fixtures/deployments.js'

const settings = {
  tool: 'mytool',
  apiUrl: 'https://api.svc.toolforge.org',
  description: 'from the inputs',
  timeoutMs: 1_800_000,
  deployId: undefined,
  toolAddress: 'https://mytool.toolforge.org/'
} as Settings
const outcome = (end: DeployOutcome['end'], extra: Partial<DeployOutcome> = {}): DeployOutcome =>
  deployOutcome(end, deployment('successful', { web: 'successful' }, { web: 'successful' }), extra)
const fact = (model: ReturnType<typeof summaryModel>, label: string) =>
  model.facts.find((f) => f.label === label)?.value

describe('the facts of a summary', () => {
  test('a deployment created but not yet started by Toolforge says so', () => {
    const created = deployment('pending')
    delete (created as { status?: string }).status
    expect(fact(summaryModel(outcome('no-wait', { deployment: created }), settings, INPUT_VOICE), 'Status')).toBe(
      'created; Toolforge starts it in a moment'
    )
  })

  test("the description is Toolforge's, else the one the run sent; none for a deployment only followed", () => {
    const described = deployment('successful', {}, {}, { description: 'from Toolforge' })
    expect(
      fact(summaryModel(outcome('successful', { deployment: described }), settings, INPUT_VOICE), 'Description')
    ).toBe('from Toolforge')
    expect(
      fact(
        summaryModel(outcome('error', { deployment: undefined, error: new Error('refused') }), settings, INPUT_VOICE),
        'Description'
      )
    ).toBe('from the inputs')
    const following = { ...settings, deployId: '20250703-075322-5zxh2hip26' }
    expect(
      fact(
        summaryModel(outcome('error', { deployment: undefined, error: new Error('refused') }), following, INPUT_VOICE),
        'Description'
      )
    ).toBeUndefined()
  })

  test('a refusal before any deployment existed tells no duration and no description: only the tool, the reason and the next step', () => {
    const refused = new ApiError('http', 'HTTP 401', {
      status: 401,
      toolforgeErrors: ['has expired'],
      reachedServer: true
    })
    const model = summaryModel(outcome('error', { deployment: undefined, error: refused }), settings, INPUT_VOICE)
    expect(model.facts.map((f) => f.label)).toEqual(['Tool'])
    expect(model.verdict.problem).toBe(
      'creating the deployment failed: Toolforge refused the deploy token (HTTP 401): has expired'
    )
    expect(model.verdict.nextSteps.map((step) => step.link === undefined)).toEqual([true, false])
  })

  test('the options the deployment was made with, when any', () => {
    const both = deployment('successful', {}, {}, { force_build: true, force_run: true })
    expect(fact(summaryModel(outcome('successful', { deployment: both }), settings, INPUT_VOICE), 'Options')).toBe(
      'force-build, force-run'
    )
    const run = deployment('successful', {}, {}, { force_run: true })
    expect(fact(summaryModel(outcome('successful', { deployment: run }), settings, INPUT_VOICE), 'Options')).toBe(
      'force-run'
    )
    expect(fact(summaryModel(outcome('successful'), settings, INPUT_VOICE), 'Options')).toBeUndefined()
  })

  test('a timeline when any component was seen doing something; a skipped check is not on it', () => {
    const timeline = {
      startedAt: 0,
      observed: { startMs: 0, endMs: 90_000 },
      precisionMs: 2_000,
      components: { web: { build: { startMs: 0, endMs: 60_000 } }, cron: {} }
    }
    const skipped = { result: 'skipped' as const, reason: 'turned off', answers: [], durationMs: 0 }
    expect(summaryModel(outcome('successful', { check: skipped }), settings, INPUT_VOICE, timeline).timeline).toBe(
      timeline
    )
    expect(
      summaryModel(outcome('successful'), settings, INPUT_VOICE, { ...timeline, components: { cron: {} } }).timeline
    ).toBeUndefined()
  })

  test('time queued behind another deployment is part of the duration', () => {
    expect(fact(summaryModel(outcome('successful', { queuedMs: 30_000 }), settings, INPUT_VOICE), 'Duration')).toBe(
      '1m35s, of which 30s queued behind another deployment'
    )
    expect(fact(summaryModel(outcome('successful'), settings, INPUT_VOICE), 'Duration')).toBe('1m35s')
  })
})
