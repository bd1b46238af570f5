import { describe, expect, test } from '@jest/globals'
import { closestFlag, parseCliArgs, USAGE } from '../../src/cli/args.js'
import { UsageError } from '../../src/settings/input-error.js'
import { INPUTS, optionVariable } from '../../src/settings/input-table.js'

/** Every input a CI job can set as a variable: all but the token. */
const VARIABLE_OPTIONS = INPUTS.filter((input) => input.kind !== 'secret').map((input) => input.name)
import { InputError } from '../../src/settings/input-error.js'
import { readSettings } from '../../src/settings/inputs.js'

const TOKEN = '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f'
const settingsOf = (argv: string[], env: NodeJS.ProcessEnv) => {
  const options = parseCliArgs(argv, env)
  return { options, settings: readSettings(options.read, env, options.names, 'toolforge-deploy') }
}

describe('the command’s options from flags and variables', () => {
  test('every option but the output ones can come from a TOOLFORGE_DEPLOY_ variable', () => {
    expect(VARIABLE_OPTIONS.map(optionVariable)).toEqual([
      'TOOLFORGE_DEPLOY_TOOL',
      'TOOLFORGE_DEPLOY_API_URL',
      'TOOLFORGE_DEPLOY_FORCE_BUILD',
      'TOOLFORGE_DEPLOY_FORCE_RUN',
      'TOOLFORGE_DEPLOY_DESCRIPTION',
      'TOOLFORGE_DEPLOY_WAIT',
      'TOOLFORGE_DEPLOY_TIMEOUT',
      'TOOLFORGE_DEPLOY_POLL_INTERVAL',
      'TOOLFORGE_DEPLOY_DEPLOY_ID',
      'TOOLFORGE_DEPLOY_ON_CONFLICT',
      'TOOLFORGE_DEPLOY_RETRIES',
      'TOOLFORGE_DEPLOY_CHECK',
      'TOOLFORGE_DEPLOY_CHECK_TIMEOUT',
      'TOOLFORGE_DEPLOY_CHECK_EXPECT',
      'TOOLFORGE_DEPLOY_EXPECT_COMMIT',
      'TOOLFORGE_DEPLOY_DRY_RUN',
      'TOOLFORGE_DEPLOY_CONFIG_FILE'
    ])
    const { settings, options } = settingsOf([], {
      TOOLFORGE_DEPLOY_TOKEN: TOKEN,
      TOOLFORGE_DEPLOY_TOOL: 'mytool',
      TOOLFORGE_DEPLOY_TIMEOUT: '45m',
      TOOLFORGE_DEPLOY_FORCE_BUILD: 'true',
      TOOLFORGE_DEPLOY_WAIT: 'false',
      TOOLFORGE_DEPLOY_DESCRIPTION: 'Deploy of "x" $HOME `id`',
      TOOLFORGE_DEPLOY_ON_CONFLICT: 'fail'
    })
    expect(settings).toMatchObject({
      tool: 'mytool',
      timeoutMs: 45 * 60_000,
      forceBuild: true,
      forceRun: false,
      wait: false,
      description: 'Deploy of "x" $HOME `id`',
      onConflict: 'fail'
    })
    expect(options.fromEnvironment.sort()).toEqual([
      'TOOLFORGE_DEPLOY_DESCRIPTION',
      'TOOLFORGE_DEPLOY_FORCE_BUILD',
      'TOOLFORGE_DEPLOY_ON_CONFLICT',
      'TOOLFORGE_DEPLOY_TIMEOUT',
      'TOOLFORGE_DEPLOY_TOOL',
      'TOOLFORGE_DEPLOY_WAIT'
    ])
  })

  test('a flag wins over its variable, and an empty variable is not set', () => {
    const { settings, options } = settingsOf(['--tool', 'other', '--timeout', '10m', '--force-run'], {
      TOOLFORGE_DEPLOY_TOKEN: TOKEN,
      TOOLFORGE_DEPLOY_TOOL: 'mytool',
      TOOLFORGE_DEPLOY_TIMEOUT: '45m',
      TOOLFORGE_DEPLOY_FORCE_RUN: 'false',
      TOOLFORGE_DEPLOY_DESCRIPTION: ''
    })
    expect(settings).toMatchObject({ tool: 'other', timeoutMs: 10 * 60_000, forceRun: true })
    expect(settings.description).not.toBe('')
    expect(options.fromEnvironment).toEqual([])
  })

  test('a bad value names the variable it came from, or the flag', () => {
    const message = (argv: string[], env: NodeJS.ProcessEnv) => {
      try {
        settingsOf(argv, { TOOLFORGE_DEPLOY_TOKEN: TOKEN, TOOLFORGE_DEPLOY_TOOL: 'mytool', ...env })
      } catch (error) {
        expect(error).toBeInstanceOf(InputError)
        return (error as Error).message
      }
      throw new Error('accepted')
    }
    expect(message([], { TOOLFORGE_DEPLOY_FORCE_BUILD: 'yes' })).toBe(
      'TOOLFORGE_DEPLOY_FORCE_BUILD is "yes"; accepted: true or false (also True, TRUE, False, FALSE).'
    )
    expect(message([], { TOOLFORGE_DEPLOY_TIMEOUT: '7h' })).toMatch(/^TOOLFORGE_DEPLOY_TIMEOUT is "7h"; accepted: /)
    expect(message(['--timeout', '8h'], { TOOLFORGE_DEPLOY_TIMEOUT: '7h' })).toMatch(/^--timeout is "8h"; accepted: /)
  })

  test("Toolforge's GitLab snippet variables: TOOLS_DEPLOY_TOKEN and TOOL_NAME, when the command's own are not set", () => {
    const snippet = settingsOf([], { TOOLS_DEPLOY_TOKEN: 'snippet-token-0123456789', TOOL_NAME: 'snippet-tool' })
    expect(snippet.settings).toMatchObject({ token: 'snippet-token-0123456789', tool: 'snippet-tool' })
    expect(snippet.options.fromEnvironment).toEqual(['TOOLS_DEPLOY_TOKEN', 'TOOL_NAME'])
    const own = settingsOf([], {
      TOOLFORGE_DEPLOY_TOKEN: TOKEN,
      TOOLS_DEPLOY_TOKEN: 'snippet-token-0123456789',
      TOOLFORGE_DEPLOY_TOOL: 'mytool',
      TOOL_NAME: 'snippet-tool'
    })
    expect(own.settings).toMatchObject({ token: TOKEN, tool: 'mytool' })
    expect(
      settingsOf(['--tool', 'flagged'], { TOOLS_DEPLOY_TOKEN: 'snippet-token-0123456789', TOOL_NAME: 'snippet-tool' })
        .settings.tool
    ).toBe('flagged')
  })

  test('the token is never a flag, nor a variable option', () => {
    expect(() => parseCliArgs(['--token', 'x'], {})).toThrow(UsageError)
    // Read from its variable, the token is not an option taken from the environment, and never said.
    const { options } = settingsOf([], { TOOLFORGE_DEPLOY_TOKEN: TOKEN, TOOLFORGE_DEPLOY_TOOL: 'mytool' })
    expect(options.fromEnvironment).toEqual(['TOOLFORGE_DEPLOY_TOOL'])
  })
})

describe('help and mistyped flags', () => {
  test('--help fits an 80-column terminal', () => {
    expect(USAGE.split('\n').filter((line) => line.length > 80)).toEqual([])
  })

  test.each([
    ['--tmeout', "Unknown option '--tmeout'; did you mean --timeout?"],
    ['--on-conflit=fail', 'did you mean --on-conflict?'],
    ['--jsn', 'did you mean --json?']
  ])('%s is told the closest flag', (flag, said) => {
    expect(() => parseCliArgs(['--tool', 'x', flag], {})).toThrow(said)
  })

  test('a flag far from every known one gets no guess, and the token flag is never suggested', () => {
    expect(() => parseCliArgs(['--bogus'], {})).toThrow(/^Unknown option '--bogus'$/)
    expect(() => parseCliArgs(['--tokn'], {})).toThrow(/^Unknown option '--tokn'$/)
    expect(closestFlag('--zzzzzzzz', ['timeout'])).toBeUndefined()
  })
})
