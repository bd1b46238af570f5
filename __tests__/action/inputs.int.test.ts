import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { startSimulator, TOKEN, type Started } from '../helpers/simulator.js'

let started: Started
beforeAll(async () => {
  started = await startSimulator()
})
afterAll(() => started.close())

const cases: Array<[string, Record<string, string>, RegExp]> = [
  ['tool', { tool: 'My_Tool' }, /^Input 'tool' is "My_Tool"; accepted: a Toolforge tool name/],
  ['tool', { tool: '-tool' }, /^Input 'tool' is "-tool"/],
  ['tool', { tool: 'a'.repeat(64) }, /^Input 'tool' is "a{64}"/],
  ['token', { token: '' }, /^Input 'token' is empty; accepted: the tool's deploy token/],
  ['token', { token: 'abc def' }, /^Input 'token' contains white space/],
  ['token', { token: 'abcdef\n' }, /^Input 'token' contains white space/],
  [
    'api-url',
    { 'api-url': 'http://10.20.30.40' },
    /^Input 'api-url' is "http:\/\/10.20.30.40"; accepted: the https:\/\/ address/
  ],
  [
    'api-url',
    { 'api-url': 'https://api.svc.toolforge.org/components/v1' },
    /, which already ends in "\/components\/v1"; give the gateway's root, "https:\/\/api.svc.toolforge.org"/
  ],
  ['token', { token: 'not/a+token=' }, /^Input 'token' holds characters no deploy token has/],
  ['api-url', { 'api-url': 'not a url' }, /^Input 'api-url' is "not a url"/],
  ['api-url', { 'api-url': 'https://user:pw@example.org' }, /^Input 'api-url' is/],
  ['force-build', { 'force-build': 'yes' }, /^Input 'force-build' is "yes"; accepted: true or false/],
  ['force-run', { 'force-run': '1' }, /^Input 'force-run' is "1"; accepted: true or false/],
  ['wait', { wait: 'nope' }, /^Input 'wait' is "nope"; accepted: true or false/],
  [
    'timeout',
    { timeout: '7h' },
    /^Input 'timeout' is "7h"; accepted: a number of seconds or a duration like 45s, 30m, 1h30m, from 1s to 6h/
  ],
  ['timeout', { timeout: '10 minutes' }, /^Input 'timeout' is "10 minutes"/],
  ['timeout', { timeout: '0' }, /^Input 'timeout' is "0"/],
  ['poll-interval', { 'poll-interval': '500ms' }, /^Input 'poll-interval' is "500ms"; accepted: .* from 1s to 1h/],
  [
    'deploy-id',
    { 'deploy-id': '../../config' },
    /^Input 'deploy-id' is "..\/..\/config"; accepted: empty, or a Toolforge deployment id/
  ],
  ['on-conflict', { 'on-conflict': 'queue' }, /^Input 'on-conflict' is "queue"; accepted: wait or fail/]
]

describe('bad inputs', () => {
  test.concurrent.each(cases)('%s %j is refused before any request', async (_name, bad, message) => {
    const run = await runAction({ inputs: { tool: 'mytool', token: TOKEN, 'api-url': started.url, ...bad } })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(run.annotations[0]!.message).toMatch(message)
    expect(run.stderr).toBe('')
    expect(run.stdout).not.toMatch(/\n\s+at /)
    expect(run.outputs).toMatchObject({ outcome: 'bad-input', deploy_id: '', status: '', deployment: '' })
    // No run in this file may reach the simulator they share.
    expect(started.sim.requests).toHaveLength(0)
  })

  test('three bad inputs are three errors, in one run, before any request; the command says each on a line', async () => {
    const bad = { timeout: '45 minutes', 'on-conflict': 'queue', 'force-build': 'yes' }
    const run = await runAction({ inputs: { tool: 'mytool', token: TOKEN, 'api-url': started.url, ...bad } })
    expect(run.code).toBe(1)
    expect(run.annotations.map((a) => [a.kind, a.message.split(';')[0]])).toEqual([
      ['error', `Input 'force-build' is "yes"`],
      ['error', `Input 'timeout' is "45 minutes"`],
      ['error', `Input 'on-conflict' is "queue"`]
    ])
    expect(run.summary).toContain('3 inputs are not valid')
    expect(run.outputs.reason).toMatch(
      /^Input 'force-build' is "yes"; .* Input 'on-conflict' is "queue"; accepted: wait or fail\.$/
    )
    const cli = await runCli(
      ['--tool', 'mytool', '--api-url', started.url, '--timeout', '45 minutes', '--on-conflict', 'queue', '--json'],
      { env: { TOOLFORGE_DEPLOY_FORCE_BUILD: 'yes' } }
    )
    expect(cli.code).toBe(2)
    expect(
      cli.stderr
        .trimEnd()
        .split('\n')
        .filter((line) => line.startsWith('toolforge-deploy:'))
        .map((line) => line.split(';')[0])
    ).toEqual([
      'toolforge-deploy: TOOLFORGE_DEPLOY_TOKEN is not set',
      'toolforge-deploy: TOOLFORGE_DEPLOY_FORCE_BUILD is "yes"',
      'toolforge-deploy: --timeout is "45 minutes"',
      'toolforge-deploy: --on-conflict is "queue"'
    ])
    expect((JSON.parse(cli.stdout) as { error: { problems: string[] } }).error.problems).toHaveLength(4)
    expect(started.sim.requests).toHaveLength(0)
  })

  test('a default tool name that is not valid asks to set tool', async () => {
    const run = await runAction({
      inputs: { token: TOKEN, 'api-url': started.url },
      env: { GITHUB_REPOSITORY: 'me/My.Repo' }
    })
    expect(run.code).toBe(1)
    expect(run.annotations[0]!.message).toBe(
      `Input 'tool' is not set and the repository name "My.Repo" is not a valid tool name; set 'tool' to a Toolforge tool name: 1 to 63 lowercase letters, digits or "-", not starting or ending with "-".`
    )
  })

  test('http://localhost goes straight to this machine, never through a proxy that is set', async () => {
    const own = await startSimulator()
    const proxied: string[] = []
    const proxy = createServer((req, res) => {
      proxied.push(req.url ?? '')
      res.writeHead(502).end()
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    try {
      const run = await runAction({
        inputs: { tool: 'mytool', token: TOKEN, 'api-url': own.url.replace('127.0.0.1', 'localhost'), wait: 'false' },
        env: { http_proxy: proxyUrl, HTTP_PROXY: proxyUrl }
      })
      expect(run.code).toBe(0)
      expect(own.sim.requests).toHaveLength(1)
      expect(proxied).toEqual([])
    } finally {
      await own.close()
      proxy.close()
    }
  })

  test('a name that merely resolves to loopback is refused before any request: a proxy would get it', async () => {
    const run = await runAction({
      inputs: { tool: 'mytool', token: TOKEN, 'api-url': started.url.replace('127.0.0.1', 'localhost.localdomain') }
    })
    expect(run.code).toBe(1)
    expect(run.annotations[0]!.message).toMatch(
      /^Input 'api-url' is "http:\/\/localhost\.localdomain:\d+"; accepted: .*plain http:\/\/ only for this machine: localhost, 127\.0\.0\.1 or another 127\.x\.x\.x address, or \[::1\]/
    )
    expect(started.sim.requests).toHaveLength(0)
  })

  test('a bad token value is never printed', async () => {
    const run = await runAction({ inputs: { tool: 'mytool', token: 'sekrit value', 'api-url': started.url } })
    expect(run.code).toBe(1)
    expect(
      run.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n')
    ).not.toContain('sekrit')
  })
})
