import { hostname } from 'node:os'
import { describe, expect, test } from '@jest/globals'
import { defaultDescription, remoteLabel, runUrl } from '../../src/settings/description.js'
import { InputError } from '../../src/settings/input-error.js'
import { readSettings } from '../../src/settings/inputs.js'

const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''
/** A deploy token as Toolforge makes them: a UUID. */
const T = '0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b'

describe('readSettings', () => {
  test('applies every documented default', () => {
    const settings = readSettings(reader({ token: T }), { GITHUB_REPOSITORY: 'me/mytool' })
    expect(settings).toEqual({
      tool: 'mytool',
      token: T,
      apiUrl: 'https://api.svc.toolforge.org',
      forceBuild: false,
      forceRun: false,
      description: 'Deployed by GitHub Actions from me/mytool',
      wait: true,
      timeoutMs: 30 * 60_000,
      pollIntervalMs: 10_000,
      deployId: undefined,
      onConflict: 'wait',
      retries: 0,
      check: 'auto',
      checkTimeoutMs: 3 * 60_000,
      checkExpect: undefined,
      expectCommit: undefined,
      toolAddress: 'https://mytool.toolforge.org/',
      dryRun: false,
      config: undefined
    })
  })

  test('expect-commit: a full SHA, any case; empty compares with the CI run’s own commit, never a pull request’s merge commit', () => {
    const sha = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'
    const expect1 = (value: string, env: NodeJS.ProcessEnv = {}) =>
      readSettings(reader({ token: T, tool: 'x', 'expect-commit': value }), env).expectCommit
    expect(expect1(sha.toUpperCase())).toEqual({ sha, source: 'input' })
    expect(expect1('f'.repeat(64))).toEqual({ sha: 'f'.repeat(64), source: 'input' })
    const github = {
      GITHUB_SHA: sha,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'me/x',
      GITHUB_EVENT_NAME: 'push'
    }
    expect(expect1('', github)).toEqual({ sha, source: 'workflow', repository: 'https://github.com/me/x' })
    expect(expect1('', { ...github, GITHUB_EVENT_NAME: 'pull_request' })).toBeUndefined()
    expect(expect1('', { ...github, GITHUB_EVENT_NAME: 'pull_request_target' })).toBeUndefined()
    const gitlab = { CI_COMMIT_SHA: sha, CI_PROJECT_URL: 'https://gitlab.wikimedia.org/toolforge-repos/x' }
    expect(expect1('', gitlab)).toEqual({ sha, source: 'workflow', repository: gitlab.CI_PROJECT_URL })
    expect(expect1('', { ...gitlab, CI_MERGE_REQUEST_EVENT_TYPE: 'merged_result' })).toBeUndefined()
    expect(expect1('', {})).toBeUndefined()
    // Following a deployment created earlier, the ref may name another commit by now.
    expect(
      readSettings(reader({ token: T, tool: 'x', 'deploy-id': '20250703-075322-5zxh2hip26' }), github).expectCommit
    ).toBeUndefined()
  })

  test.each([
    ['1a2b3c4', 'a full commit SHA of 40 hexadecimal digits'],
    ['main', 'not a branch, tag or short SHA'],
    ['g'.repeat(40), 'accepted: empty']
  ])('expect-commit %s is refused, saying what is accepted', (value, accepted) => {
    expect(() => readSettings(reader({ token: T, tool: 'x', 'expect-commit': value }), {})).toThrow(
      new RegExp(`^Input 'expect-commit' is "${value}"; .*${accepted}`)
    )
  })

  test('expect-commit with deploy-id is refused: that deployment was created earlier', () => {
    const read = () =>
      readSettings(
        reader({ token: T, tool: 'x', 'expect-commit': 'a'.repeat(40), 'deploy-id': '20250703-075322-5zxh2hip26' }),
        {}
      )
    expect(read).toThrow("Input 'expect-commit' is set, but 'deploy-id' follows a deployment created earlier")
  })

  test('check-expect: one line of text, only with a check to make', () => {
    const read = (inputs: Record<string, string>) => readSettings(reader({ token: T, tool: 'x', ...inputs }), {})
    expect(read({ 'check-expect': ' v2.0 ' }).checkExpect).toBe('v2.0')
    expect(read({}).checkExpect).toBeUndefined()
    expect(() => read({ 'check-expect': 'v2', check: 'off' })).toThrow(
      "Input 'check-expect' is set, but 'check' is off; accepted: check-expect with check auto or a URL"
    )
    expect(() => read({ 'check-expect': 'a\nb' })).toThrow('accepted: one line of at most 1000 characters')
    expect(() => read({ 'check-expect': 'x'.repeat(1_001) })).toThrow('accepted: one line of at most 1000 characters')
  })

  test('check is auto, off, or a URL to ask (https, or http on this machine); check-timeout from 1s to 1h', () => {
    const check = (value: string, timeout = '') =>
      readSettings(reader({ token: T, tool: 'x', check: value, 'check-timeout': timeout }), {})
    expect(check('off').check).toBe('off')
    expect(check('auto').check).toBe('auto')
    expect((check('https://x.example/healthz').check as URL).href).toBe('https://x.example/healthz')
    expect((check('http://127.0.0.1:8000/').check as URL).href).toBe('http://127.0.0.1:8000/')
    expect(check('', '1s').checkTimeoutMs).toBe(1_000)
    expect(check('', '1h').checkTimeoutMs).toBe(3_600_000)
    for (const bad of ['maybe', 'http://10.0.0.1/', 'https://user:pw@x.example/', 'ftp://x.example/']) {
      expect(() => check(bad)).toThrow(
        `Input 'check' is "${bad}"; accepted: auto (the tool's address, when a component publishes one), off, or an https:// URL`
      )
    }
    expect(() => check('', '0s')).toThrow('Input \'check-timeout\' is "0s"')
    expect(() => check('', '61m')).toThrow(
      'Input \'check-timeout\' is "61m"; accepted: a number of seconds or a duration like 45s, 30m, 1h30m, from 1s to 1h.'
    )
  })

  test.each([
    ['timeout', '1s', '6h', '21601', 'from 1s to 6h'],
    ['poll-interval', '1s', '1h', '3601', 'from 1s to 1h'],
    ['check-timeout', '1s', '1h', '3601', 'from 1s to 1h']
  ])('%s accepts both ends of its range and nothing beyond', (name, lowest, highest, beyond, range) => {
    const read = (value: string) => readSettings(reader({ token: T, tool: 'x', [name]: value }), {})
    const field = (
      { timeout: 'timeoutMs', 'poll-interval': 'pollIntervalMs', 'check-timeout': 'checkTimeoutMs' } as const
    )[name as 'timeout']
    expect(read(lowest)[field]).toBe(1_000)
    expect(read(highest)[field]).toBe(Number(beyond) * 1_000 - 1_000)
    for (const bad of ['0', beyond]) {
      expect(() => read(bad)).toThrow(
        `Input '${name}' is "${bad}"; accepted: a number of seconds or a duration like 45s, 30m, 1h30m, ${range}.`
      )
    }
  })

  test("the tools' address is https://<tool>.toolforge.org/, or what TOOLFORGE_TOOL_URL says", () => {
    const address = (env: NodeJS.ProcessEnv) => readSettings(reader({ token: T, tool: 'my-tool' }), env).toolAddress
    expect(address({})).toBe('https://my-tool.toolforge.org/')
    expect(address({ TOOLFORGE_TOOL_URL: 'https://{tool}.beta.example/' })).toBe('https://my-tool.beta.example/')
    expect(address({ TOOLFORGE_TOOL_URL: 'http://127.0.0.1:8000/{tool}/' })).toBe('http://127.0.0.1:8000/my-tool/')
    expect(() => address({ TOOLFORGE_TOOL_URL: 'http://192.168.0.5/{tool}' })).toThrow(
      /^TOOLFORGE_TOOL_URL is "http:\/\/192.168.0.5\/\{tool\}"; accepted: /
    )
  })

  test.each([
    ['https://api.svc.toolforge.org/', 'https://api.svc.toolforge.org'],
    ['https://gateway.example.org/prefix//', 'https://gateway.example.org/prefix'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.45.0.9', 'http://127.45.0.9'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://[::1]:8000', 'http://[::1]:8000']
  ])('api-url %j becomes %j', (given, expected) => {
    expect(readSettings(reader({ token: T, tool: 'x', 'api-url': given }), {}).apiUrl).toBe(expected)
  })

  // Only the hosts http-client never sends through a proxy: any other name, even one that
  // resolves to loopback, and any other spelling of loopback would go to a configured proxy.
  test.each([
    'http://10.0.0.1',
    'http://[fe80::1]',
    'http://128.0.0.1',
    'http://127.0.0.1.nip.io',
    'http://localhost.localdomain',
    'http://[::ffff:127.0.0.1]',
    'ftp://api.svc.toolforge.org',
    'https://x.org/?a=1',
    'https://x.org/#f'
  ])('api-url %j is refused', (given) => {
    expect(() => readSettings(reader({ token: T, tool: 'x', 'api-url': given }), {})).toThrow(InputError)
  })

  test.each([
    ['https://api.svc.toolforge.org/components', 'https://api.svc.toolforge.org'],
    ['https://api.svc.toolforge.org/components/v1/', 'https://api.svc.toolforge.org'],
    ['http://127.0.0.1:8080/prefix/components/v1', 'http://127.0.0.1:8080/prefix']
  ])('an api-url ending in the part the action adds (%j) is refused with the fix', (given, root) => {
    const end = given.slice(given.indexOf('/components')).replace(/\/$/, '')
    expect(() => readSettings(reader({ token: T, tool: 'x', 'api-url': given }), {})).toThrow(
      expect.objectContaining({
        input: 'api-url',
        message: `Input 'api-url' is "${given}", which already ends in "${end}"; give the gateway's root, "${root}": /components/v1/... is added to it.`
      })
    )
    expect(() => readSettings(reader({ token: T, tool: 'x', 'api-url': given }), {})).toThrow(
      `: /components/v1/... is added to it.`
    )
    expect(() => readSettings(reader({ token: T, tool: 'x', 'api-url': given }), {})).toThrow(
      `give the gateway's root, "${root}"`
    )
  })

  test.each([
    'https://gateway.example.org/components-proxy',
    'https://gateway.example.org/components/v1beta',
    'https://gateway.example.org/my-components'
  ])('an api-url where /components is not the end (%j) is accepted', (given) => {
    expect(readSettings(reader({ token: T, tool: 'x', 'api-url': given }), {}).apiUrl).toBe(given)
  })

  test('deploy-id takes a Toolforge deployment id, and only that', () => {
    const deployId = (id: string) => readSettings(reader({ token: T, tool: 'x', 'deploy-id': id }), {}).deployId
    expect(deployId('20250703-075322-5zxh2hip26')).toBe('20250703-075322-5zxh2hip26')
    expect(deployId('')).toBeUndefined()
    for (const bad of [
      'x20250703-075322-5zxh2hip26',
      '20250703-075322-5zxh2hip26x',
      '20250703-075322-5zxh2hip26\nx',
      '2025070-075322-5zxh2hip26',
      '2025070a-075322-5zxh2hip26',
      '20250703-07532-5zxh2hip26',
      '20250703-07532a-5zxh2hip26',
      '20250703-075322-5zxh2hip2',
      '20250703-075322-5ZXH2HIP26',
      '20250703-075322-5zxh2hip2_',
      '20250703_075322-5zxh2hip26'
    ]) {
      expect(() => deployId(bad)).toThrow(InputError)
    }
  })

  test('a UUID token is accepted without a word', () => {
    const settings = readSettings(reader({ token: T, tool: 'x' }), {})
    expect([settings.token, settings.tokenWarning]).toEqual([T, undefined])
  })

  test('a token of 16 characters or more that is no UUID is accepted with a warning naming the shape, never the token', () => {
    const token = 'A.b_c~d-1xYz.0123'
    const settings = readSettings(reader({ token, tool: 'x' }), {})
    expect(settings.token).toBe(token)
    expect(settings.tokenWarning).toBe(
      "Input 'token' is not shaped like a deploy token: Toolforge's are UUIDs of 36 characters, like 0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b. The run goes on with it; check the secret if Toolforge refuses it."
    )
  })

  test.each(['e', 't0k', 'f'.repeat(15)])(
    'a token shorter than 16 characters (%j) is refused, naming the input and the shape',
    (token) => {
      expect(() => readSettings(reader({ token, tool: 'x' }), {})).toThrow(
        expect.objectContaining({
          input: 'token',
          message: `Input 'token' is ${token.length} characters long; accepted: the tool's deploy token, a UUID of 36 characters like 0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b (at least 16 characters).`
        })
      )
    }
  )

  test.each(['3f9a1c2e-77b4\u0007-4d0e', '3f9a1c2e-77b4\u001b[2J-4d0e'])(
    'a token with a control character is refused',
    (token) => {
      expect(() => readSettings(reader({ token, tool: 'x' }), {})).toThrow(expect.objectContaining({ input: 'token' }))
    }
  )

  test.each([
    'tok/en-0123456789',
    'a+b-0123456789abcd',
    'x%41-0123456789abc',
    'é-0123456789abcdef',
    'a&b-0123456789abcd',
    'a\\b-0123456789abcd'
  ])('a token with characters no deploy token has (%j) is refused, without repeating it', (token) => {
    expect(() => readSettings(reader({ token, tool: 'x' }), {})).toThrow(
      expect.objectContaining({
        input: 'token',
        message:
          'Input \'token\' holds characters no deploy token has; accepted: letters, digits, ".", "_", "~" and "-" (deploy tokens are UUIDs).'
      })
    )
  })

  test.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['', false]
  ])('force-build %j is %s', (given, expected) => {
    expect(readSettings(reader({ token: T, tool: 'x', 'force-build': given }), {}).forceBuild).toBe(expected)
  })

  const TOOL_NAME = 'a Toolforge tool name: 1 to 63 lowercase letters, digits or "-", not starting or ending with "-"'
  test.each<[Record<string, string>, NodeJS.ProcessEnv, string, string]>([
    [
      { token: T },
      {},
      'tool',
      `Input 'tool' is not set and no repository name was available; set 'tool' to ${TOOL_NAME}.`
    ],
    [
      { token: T },
      { GITHUB_REPOSITORY: 'me/My_Tool' },
      'tool',
      `Input 'tool' is not set and the repository name "My_Tool" is not a valid tool name; set 'tool' to ${TOOL_NAME}.`
    ],
    [
      { token: T },
      { CI_PROJECT_NAME: 'x_y' },
      'tool',
      `Input 'tool' is not set and the repository name "x_y" is not a valid tool name; set 'tool' to ${TOOL_NAME}.`
    ],
    [{ token: T, tool: '-x' }, {}, 'tool', `Input 'tool' is "-x"; accepted: ${TOOL_NAME}.`],
    [
      { tool: 'x' },
      {},
      'token',
      "Input 'token' is empty; accepted: the tool's deploy token (create one with `toolforge components deploy-token create`), passed from a secret such as ${{ secrets.TOOLFORGE_DEPLOY_TOKEN }}. If the secret is set, check that this workflow can read it."
    ],
    [
      { tool: 'x', token: 'a b' },
      {},
      'token',
      "Input 'token' contains white space; accepted: the deploy token alone, without spaces or line breaks (check the secret for a trailing newline)."
    ],
    [
      { tool: 'x', token: T, 'api-url': 'not a url' },
      {},
      'api-url',
      'Input \'api-url\' is "not a url"; accepted: the https:// address of the Toolforge API gateway, like https://api.svc.toolforge.org (plain http:// only for this machine: localhost, 127.0.0.1 or another 127.x.x.x address, or [::1]), without credentials, query or fragment.'
    ],
    [
      { tool: 'x', token: T, 'deploy-id': '../x' },
      {},
      'deploy-id',
      'Input \'deploy-id\' is "../x"; accepted: empty, or a Toolforge deployment id like 20250703-075322-5zxh2hip26.'
    ],
    [
      { tool: 'x', token: T, 'on-conflict': 'queue' },
      {},
      'on-conflict',
      'Input \'on-conflict\' is "queue"; accepted: wait or fail.'
    ],
    [
      { tool: 'x', token: T, 'force-build': 'no' },
      {},
      'force-build',
      'Input \'force-build\' is "no"; accepted: true or false (also True, TRUE, False, FALSE).'
    ],
    [
      { tool: 'x', token: T, check: 'maybe' },
      {},
      'check',
      "Input 'check' is \"maybe\"; accepted: auto (the tool's address, when a component publishes one), off, or an https:// URL to ask (http:// only for localhost, 127.x.x.x or [::1]), without credentials."
    ],
    [
      { tool: 'x', token: T, 'force-run': 'yes' },
      {},
      'force-run',
      'Input \'force-run\' is "yes"; accepted: true or false (also True, TRUE, False, FALSE).'
    ],
    [
      { tool: 'x', token: T, timeout: '5 minutes' },
      {},
      'timeout',
      'Input \'timeout\' is "5 minutes"; accepted: a number of seconds or a duration like 45s, 30m, 1h30m, from 1s to 6h.'
    ],
    [
      { tool: 'x', token: T },
      { TOOLFORGE_TOOL_URL: 'http://10.0.0.1/{tool}' },
      'tool-url',
      'TOOLFORGE_TOOL_URL is "http://10.0.0.1/{tool}"; accepted: the tools\' web address, https:// (http:// only for localhost, 127.x.x.x or [::1]), with {tool} for the tool\'s name, like https://{tool}.toolforge.org/.'
    ],
    [
      { tool: 'x', token: T },
      { TOOLFORGE_TOOL_URL: 'not a url' },
      'tool-url',
      'TOOLFORGE_TOOL_URL is "not a url"; accepted: the tools\' web address, https:// (http:// only for localhost, 127.x.x.x or [::1]), with {tool} for the tool\'s name, like https://{tool}.toolforge.org/.'
    ]
  ])('%j with %j: one message naming the input and what it accepts', (inputs, env, input, message) => {
    let error: unknown
    try {
      readSettings(reader(inputs), env)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({ input, message })
  })

  test('every input but the token is read without the white space around it', () => {
    const inputs = {
      tool: 'mytool',
      'api-url': 'https://gateway.example.org',
      'force-build': 'true',
      'force-run': 'true',
      description: 'from CI',
      wait: 'false',
      timeout: '1h',
      'poll-interval': '30s',
      'deploy-id': '20250703-075322-5zxh2hip26',
      'on-conflict': 'fail',
      check: 'https://mytool.example/healthz',
      'check-timeout': '5m'
    }
    const padded = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, ` ${value}\n`]))
    const plain = readSettings(reader({ ...inputs, token: T }), {})
    expect(readSettings(reader({ ...padded, token: T }), {})).toEqual(plain)
    // White space alone is no value: every default applies.
    const blank = Object.fromEntries(Object.keys(inputs).map((name) => [name, ' \n']))
    expect(readSettings(reader({ ...blank, tool: 'mytool', token: T }), {})).toEqual(
      readSettings(reader({ tool: 'mytool', token: T }), {})
    )
    expect(plain).toMatchObject({
      forceBuild: true,
      forceRun: true,
      wait: false,
      timeoutMs: 3_600_000,
      pollIntervalMs: 30_000,
      onConflict: 'fail',
      checkTimeoutMs: 300_000
    })
  })

  test('on-conflict is wait (the default) or fail; a check URL may have a query', () => {
    const settings = (inputs: Record<string, string>) => readSettings(reader({ token: T, tool: 'x', ...inputs }), {})
    expect(settings({ 'on-conflict': 'wait' }).onConflict).toBe('wait')
    expect(settings({ 'on-conflict': 'fail' }).onConflict).toBe('fail')
    expect((settings({ check: 'https://x.example/healthz?full=1' }).check as URL).href).toBe(
      'https://x.example/healthz?full=1'
    )
  })

  test('input errors are named as such in stack traces', () => {
    expect(() => readSettings(reader({ tool: 'x' }), {})).toThrow(expect.objectContaining({ name: 'InputError' }))
  })

  test('the first bad input is named', () => {
    let error: unknown
    try {
      readSettings(reader({ token: T, tool: 'x', wait: 'maybe', timeout: 'never' }), {})
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe('wait')
  })

  test('a tool name of exactly 63 characters is accepted', () => {
    expect(readSettings(reader({ token: T, tool: `a${'-'.repeat(61)}b` }), {}).tool).toHaveLength(63)
  })
})

describe('defaultDescription', () => {
  test('names the repository, commit, ref, actor and run', () => {
    expect(
      defaultDescription({
        GITHUB_REPOSITORY: 'me/mytool',
        GITHUB_SHA: '0123456789abcdef',
        GITHUB_REF_NAME: 'main',
        GITHUB_ACTOR: 'alice',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '99',
        GITHUB_RUN_ATTEMPT: '2'
      })
    ).toBe(
      'Deployed by GitHub Actions from me/mytool@0123456, ref main, by alice, run https://github.com/me/mytool/actions/runs/99/attempts/2'
    )
  })

  test('the run link points at the GitHub server of the run (github.com when unsaid), with the attempt only when known', () => {
    const run = { GITHUB_REPOSITORY: 'me/mytool', GITHUB_RUN_ID: '99' }
    expect(defaultDescription(run)).toBe(
      'Deployed by GitHub Actions from me/mytool, run https://github.com/me/mytool/actions/runs/99'
    )
    expect(defaultDescription({ ...run, GITHUB_SERVER_URL: 'https://ghe.example.org', GITHUB_RUN_ATTEMPT: '1' })).toBe(
      'Deployed by GitHub Actions from me/mytool, run https://ghe.example.org/me/mytool/actions/runs/99/attempts/1'
    )
  })

  test('the run’s address is a setting, for the summary to link; only a plain web address', () => {
    const run = { GITHUB_REPOSITORY: 'me/mytool', GITHUB_RUN_ID: '99', GITHUB_RUN_ATTEMPT: '3' }
    expect(readSettings(reader({ token: T, tool: 'mytool' }), run).runUrl).toBe(
      'https://github.com/me/mytool/actions/runs/99/attempts/3'
    )
    expect(runUrl({ CI_PROJECT_PATH: 'p/q', CI_PIPELINE_URL: 'https://gitlab.example.org/p/q/-/pipelines/7' })).toBe(
      'https://gitlab.example.org/p/q/-/pipelines/7'
    )
    expect(runUrl({ CI_PROJECT_PATH: 'p/q', CI_PIPELINE_URL: 'javascript:alert(1)' })).toBeUndefined()
    expect(runUrl({ ...run, GITHUB_SERVER_URL: 'https://x.org/a)b' })).toBeUndefined()
    expect(readSettings(reader({ token: T, tool: 'mytool' }), {}).runUrl).toBeUndefined()
  })

  test('in GitLab CI: the project, commit, ref, user and pipeline; GitHub Actions first when both are set', () => {
    const gitlab = {
      CI_PROJECT_PATH: 'toolforge-repos/mytool',
      CI_COMMIT_SHA: 'fedcba9876543210',
      CI_COMMIT_REF_NAME: 'main',
      GITLAB_USER_LOGIN: 'bob',
      CI_PIPELINE_URL: 'https://gitlab.wikimedia.org/toolforge-repos/mytool/-/pipelines/7'
    }
    expect(defaultDescription(gitlab, 'toolforge-deploy', () => undefined)).toBe(
      'Deployed by GitLab CI from toolforge-repos/mytool@fedcba9, ref main, by bob, pipeline https://gitlab.wikimedia.org/toolforge-repos/mytool/-/pipelines/7'
    )
    // GitLab's variables seen inside GitHub Actions (set by hand, say) are not GitLab CI.
    expect(defaultDescription({ ...gitlab, GITHUB_ACTIONS: 'true' }, 'toolforge-deploy', () => undefined)).toBe(
      'Deployed by toolforge-deploy'
    )
  })

  test("without a git stand-in, the checkout's own git is asked", () => {
    // The project's own checkout: a commit is always there, the branch and remote depend on the clone.
    expect(defaultDescription({}, 'toolforge-deploy')).toMatch(
      /^Deployed by toolforge-deploy from (the folder )?\S+@[0-9a-f]{7}(, branch \S+)?$/
    )
  })

  test('outside CI and a git checkout, says only what deployed', () => {
    expect(defaultDescription({}, 'toolforge-deploy', () => undefined)).toBe('Deployed by toolforge-deploy')
    expect(defaultDescription({}, undefined, () => undefined)).toBe('Deployed by toolforge/deploy-action')
  })

  test('from a terminal in a git checkout: its remote (without credentials), commit and branch, never the local user or host', () => {
    const answers: Record<string, string> = {
      'rev-parse HEAD': '0123456789abcdef0123456789abcdef01234567',
      'remote get-url origin': 'https://someone:glpat-secret@gitlab.wikimedia.org/toolforge-repos/mytool.git',
      'rev-parse --abbrev-ref HEAD': 'feature/x'
    }
    const description = defaultDescription({}, 'toolforge-deploy', (args) => answers[args.join(' ')])
    expect(description).toBe(
      'Deployed by toolforge-deploy from gitlab.wikimedia.org/toolforge-repos/mytool@0123456, branch feature/x'
    )
    expect(description).not.toContain(hostname())
    expect(remoteLabel('ssh://git@host/x.git')).toBe('host/x')
    expect(remoteLabel('https://user:pass@host:8443/group/x.git')).toBe('host:8443/group/x')
    expect(remoteLabel('file:///home/alice/x.git')).toBeUndefined()
    expect(remoteLabel('/home/alice/x.git')).toBeUndefined()
    expect(remoteLabel('../x')).toBeUndefined()
    const detached = defaultDescription({}, 'toolforge-deploy', (args) =>
      args.join(' ') === 'rev-parse --abbrev-ref HEAD' ? 'HEAD' : answers[args.join(' ')]
    )
    expect(detached).not.toContain('branch')
    const local: Record<string, string> = { ...answers, 'rev-parse --show-toplevel': '/home/alice/src/mytool' }
    delete local['remote get-url origin']
    expect(defaultDescription({}, 'toolforge-deploy', (args) => local[args.join(' ')])).toBe(
      'Deployed by toolforge-deploy from the folder mytool@0123456, branch feature/x'
    )
    delete local['rev-parse --show-toplevel']
    expect(defaultDescription({}, 'toolforge-deploy', (args) => local[args.join(' ')])).toBe(
      'Deployed by toolforge-deploy from the folder checkout@0123456, branch feature/x'
    )
  })

  test('an scp-style remote is named by host and path: no local user or path reaches Toolforge', () => {
    const remotes: Record<string, string> = {
      'alice@git.example.org:team/tool.git': 'git.example.org/team/tool',
      'git.example.org:team/tool': 'git.example.org/team/tool',
      '/home/alice/mirrors/tool.git': 'the folder mytool',
      'file:///home/alice/tool.git': 'the folder mytool'
    }
    for (const [remote, named] of Object.entries(remotes)) {
      const answers: Record<string, string> = {
        'rev-parse HEAD': '0123456789abcdef0123456789abcdef01234567',
        'remote get-url origin': remote,
        'rev-parse --show-toplevel': '/home/alice/src/mytool'
      }
      const description = defaultDescription({}, 'toolforge-deploy', (args) => answers[args.join(' ')])
      expect(description).toBe(`Deployed by toolforge-deploy from ${named}@0123456`)
      expect(description).not.toMatch(/alice|home/)
    }
  })
})
