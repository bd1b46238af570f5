import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import type { DeployOutcome } from '../../src/engine/deploy.js'
import { INPUT_VOICE, outcomeKind, verdict } from '../../src/report/outcome.js'
import {
  DOTENV_TEXT_LIMIT,
  dotenvOf,
  earlyResult,
  EXIT,
  jsonOf,
  runResult,
  type RunResult
} from '../../src/report/result.js'
import { OUTPUTS } from '../../src/settings/input-table.js'
import { deployment, deployOutcome } from '../../dev/fixtures/deployments.js'
import { settingsFixture } from '../../dev/fixtures/settings.js'
import { asDotenv } from '../helpers/dotenv.js'

const settings = settingsFixture()
const commits = {
  components: [{ component: 'web', repository: 'https://x.org/a.git', ref: 'main', commit: 'a'.repeat(40) }],
  commit: 'a'.repeat(40)
}
const check = {
  result: 'passed' as const,
  target: { url: 'https://mytool.toolforge.org/', strict: false },
  answers: ['200'],
  durationMs: 12
}

/** Every ending the issue names, and a few more, as the engine reports them. */
const ENDINGS: Array<[string, DeployOutcome]> = [
  [
    'success',
    deployOutcome(
      'successful',
      deployment('successful', { web: 'successful' }, { web: 'successful' }, { long_status: 'Finished at x' }),
      { check, commits }
    )
  ],
  [
    'a build failure',
    deployOutcome(
      'failed',
      deployment('failed', { web: 'failed' }, { web: 'skipped' }, { long_status: 'Got exception: Some builds failed' })
    )
  ],
  [
    'a run failure',
    deployOutcome(
      'failed',
      deployment('failed', { web: 'successful' }, { web: 'failed' }, { long_status: 'Got exception: run failed' })
    )
  ],
  ['a timeout', deployOutcome('timeout', deployment('running'))],
  [
    'a refusal',
    deployOutcome('error', undefined, {
      error: new ApiError('http', 'Toolforge answered HTTP 401', { status: 401, reachedServer: true })
    })
  ],
  ['a cancellation', deployOutcome('interrupted', deployment('running'))],
  [
    'not serving',
    deployOutcome('not-serving', deployment('successful'), { check: { ...check, result: 'failed', answers: ['503'] } })
  ],
  ['started without waiting', deployOutcome('no-wait', deployment('pending'))]
]

/** The outputs as the dotenv file holds them. */
function parseDotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trimEnd()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
}

function expectAgreement(result: RunResult): void {
  const json = JSON.parse(jsonOf(result, {})) as Record<string, unknown>
  const dotenv = parseDotenv(dotenvOf(result))
  for (const output of OUTPUTS) {
    const value = result.outputs[output.name]
    // --json: every output name, with the same value (the deployment parsed).
    expect([output.name, json[output.name]]).toEqual([
      output.name,
      output.name === 'deployment' ? (value ? JSON.parse(value) : null) : value
    ])
    // dotenv: every output with a dotenv name, the same value (one line, nothing a shell or GitLab would act on).
    if (output.dotenv)
      expect([output.dotenv, dotenv[output.dotenv]]).toEqual([
        output.dotenv,
        asDotenv(value.slice(0, DOTENV_TEXT_LIMIT))
      ])
  }
  expect(Object.keys(dotenv)).toEqual(OUTPUTS.flatMap((output) => (output.dotenv ? [output.dotenv] : [])))
  expect(json.exitCode).toBe(result.exitCode)
  // error is set whenever the run failed, and only then.
  expect([result.outputs.outcome, json.error === null]).toEqual([
    result.outputs.outcome,
    result.exitCode === EXIT.success
  ])
}

describe('one result record: outputs, --json and dotenv agree on every field', () => {
  test.each(ENDINGS)('%s', (_name, outcome) => {
    const kind = outcomeKind(outcome)
    const result = runResult(outcome, settings, verdict(outcome, settings, INPUT_VOICE).problem)
    expect(result.outputs.outcome).toBe(kind)
    expect(result.outputs.deploy_id).toBe(outcome.deployment?.deploy_id ?? '')
    expectAgreement(result)
  })

  test('a failed run’s error states the summary’s reason, and keeps the API’s kind and status', () => {
    const [, refusal] = ENDINGS.find(([name]) => name === 'a refusal')!
    const problem = verdict(refusal, settings, INPUT_VOICE).problem!
    expect(runResult(refusal, settings, problem).error).toEqual({
      kind: 'http',
      httpStatus: 401,
      message: problem
    })
    const [, failure] = ENDINGS.find(([name]) => name === 'a build failure')!
    expect(runResult(failure, settings, 'the reason').error).toEqual({
      kind: 'failed',
      message: 'the reason'
    })
  })

  test('an ending before any request: bad input, and a config checked alone', () => {
    const refused = earlyResult('bad-input', { kind: 'input', message: 'Input \'timeout\' is "x"' })
    expect(refused).toMatchObject({
      exitCode: EXIT.usage,
      outputs: { outcome: 'bad-input', deploy_id: '', check: 'skipped' }
    })
    expectAgreement(refused)
    expectAgreement(earlyResult('config-accepted', null, 'https://mytool.toolforge.org/'))
  })

  test('the dotenv file holds the reason and the checked address, one line each, inert, under 5 KB', () => {
    const reason = `Got exception: build "web" failed: see $HOME/#1 \\ 'logs'\r\nINJECTED=1 ${'x'.repeat(3_000)}`
    const failed = deployOutcome('failed', { ...deployment('failed'), long_status: reason })
    const text = dotenvOf(runResult(failed, settings, `Toolforge deployment failed: ${reason}`))
    const values = parseDotenv(text)
    expect(text.split('\n').filter((line) => line.startsWith('INJECTED'))).toEqual([])
    expect(values.DEPLOY_LONG_STATUS).toMatch(
      /^Got exception: build ”web” failed: see ＄HOME\/＃1 ∖ ’logs’ ⏎ INJECTED=1 x+… \[\d+ more characters\]$/
    )
    expect(values.DEPLOY_REASON).toMatch(/^Toolforge deployment failed: Got exception: build ”web”/)
    expect(Buffer.byteLength(text)).toBeLessThan(5 * 1024)
  })
})
