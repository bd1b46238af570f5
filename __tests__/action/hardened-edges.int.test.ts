import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { actionNode } from '../../dev/support/runtimes.js'
import { expectNoToken } from '../helpers/leaks.js'
import { leakedPieces, startSlowGitHost, startTrickle } from '../helpers/hostile-peers.js'
import { TOKEN, toolInputs, withQuickTool } from '../helpers/simulator.js'
import { startWebServer } from '../helpers/web-server.js'
import { TROUBLESHOOTING } from '../../src/report/troubleshooting.js'

/**
 * The hostile edges of issue 35, each against a peer on 127.0.0.1 that misbehaves on
 * purpose: server text that would issue workflow commands, peers that trickle a byte at
 * a time, a page or git host that splits the token with markup, hundreds of
 * repositories, credentials in addresses, and tokens no deploy token can be.
 */

const inputs = toolInputs
/** A config of one component built from `repository` at `ref`. */
const oneComponent =
  (repository: string, ref = 'main') =>
  () => ({
    config_version: 'v1beta1',
    components: {
      web: {
        component_type: 'continuous',
        build: { repository, ref },
        run: { command: 'gunicorn app:app', port: 8000, publish: '/' }
      }
    }
  })
const start = withQuickTool
const LINE_ENDS = /\r\n|[\r\n\u0085\u2028\u2029]/
const NODES = [
  ['Node 24', actionNode()],
  ['Node 20', process.execPath]
] as const
/** The token with a `<wbr>` after every 30 characters, as a page or a git host could split it. */
const splitToken = (token: string) => token.replace(/(.{30})/g, '$1<wbr>')

describe('F1: no workflow command from server text, whatever line end it uses', () => {
  test.concurrent(
    'a CR in build.ref and a %0D in the repository stay inside their log line',
    start(async ({ sim, url }) => {
      sim.api.setToolConfig('mytool', (repositories) => ({
        config_version: 'v1beta1',
        components: {
          web: {
            build: { repository: `${repositories}/mytool.git`, ref: 'main\r::error title=x::INJECTED' },
            run: { command: 'x' }
          },
          cron: {
            build: {
              repository: `${repositories}/mytool%0D::warning::INJECTED%E2%80%A8::notice::INJECTED.git`,
              ref: 'main\u2028::error::INJECTED'
            },
            run: { command: 'x' }
          }
        }
      }))
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      // The runner ends a line at a bare CR too; every line it could read must be inert.
      const commands = run.stdout.split(LINE_ENDS).filter((line) => /^\s*::[a-z-]+( [^:]*)?::INJECTED/.test(line))
      expect(commands).toEqual([])
      expect(run.stdout).toMatch(/^Commit: web: main ⏎ ::error title=x::INJECTED /m)
      expect(run.annotations.map((a) => a.message).join('\n')).not.toMatch(/^::/m)
      const cli = await runCli(['--tool', 'mytool', '--api-url', url], { env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN } })
      expect(cli.code).toBe(0)
      expect(`${cli.stdout}${cli.stderr}`).not.toMatch(/[\r\u0085\u2028\u2029]/)
    })
  )
})

describe('F2: every network read ends by its own limit and the run’s deadline, on Node 20 and Node 24', () => {
  test.concurrent.each(
    NODES.flatMap(([name, node]) => (['headers', 'body'] as const).map((mode) => [name, mode, node] as const))
  )('%s: a git host trickling its %s ends with the run’s timeout', (_name, mode, node) =>
    start(async ({ sim, url }) => {
      const git = await startTrickle(mode, 'application/x-git-upload-pack-advertisement')
      try {
        sim.api.setToolConfig('mytool', oneComponent(`${git.url}/mytool.git`))
        const run = await runAction({ inputs: inputs(url, { timeout: '5s' }), node, killAfterMs: 40_000 })
        expect(run.signal).toBeNull()
        expect(run.durationMs).toBeLessThan(5_000 + 5_000)
        expect(run.code).toBe(0)
        expect(run.annotations).toEqual([
          {
            kind: 'notice',
            title: 'Deployed commit not known',
            message: expect.stringMatching(/\(no answer within \d+s\)/)
          }
        ])
      } finally {
        await git.close()
      }
    })()
  )

  test.concurrent.each(NODES)('%s: a tool page trickling its body ends with check-timeout', (_name, node) =>
    start(async ({ url }) => {
      const page = await startTrickle('body')
      try {
        const run = await runAction({
          inputs: inputs(url, { check: 'auto', 'check-timeout': '4s', 'check-expect': 'version 2' }),
          env: { TOOLFORGE_TOOL_URL: `${page.url}/{tool}/` },
          node,
          killAfterMs: 40_000
        })
        expect(run.signal).toBeNull()
        expect(run.code).toBe(1)
        expect(run.outputs.check).toBe('failed')
        // The check's 4 s, the deployment's few seconds, and the margin the issue allows.
        expect(run.durationMs).toBeLessThan(4_000 + 4_000 + 5_000)
      } finally {
        await page.close()
      }
    })()
  )

  test.concurrent(
    'the command against a trickling git host ends within its limit plus 5 s',
    start(async ({ sim, url }) => {
      const git = await startTrickle('body', 'application/x-git-upload-pack-advertisement')
      try {
        sim.api.setToolConfig('mytool', oneComponent(`${git.url}/mytool.git`))
        const run = await runCli(['--tool', 'mytool', '--api-url', url, '--timeout', '5s'], {
          env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN },
          killAfterMs: 40_000
        })
        expect(run.code).toBe(0)
        expect(run.durationMs).toBeLessThan(5_000 + 5_000)
      } finally {
        await git.close()
      }
    })
  )
})

describe('F4: a token split by markup on a page or a git host is masked in every sink', () => {
  test.concurrent(
    'a page quoted by a failed check-expect',
    start(async ({ url }) => {
      // The token straddles the excerpt's cut (200 characters), split every 30 characters.
      const body = `${'x'.repeat(180)} ${splitToken(TOKEN)} &lt;wbr&gt;${TOKEN.slice(0, 20)}&shy;${TOKEN.slice(20)}`
      const page = await startWebServer(() => ({ status: 200, headers: { 'content-type': 'text/html' }, body }))
      try {
        const run = await runAction({
          inputs: inputs(url, { check: 'auto', 'check-timeout': '1s', 'check-expect': 'version 2' }),
          env: { TOOLFORGE_TOOL_URL: page.toolUrl }
        })
        expect(run.outputs.check).toBe('failed')
        expect(run.everything).toContain('it served: "xxxx')
        expect(leakedPieces(run.everything, TOKEN)).toEqual([])
        const dotenv = join(mkdtempSync(join(tmpdir(), 'f4-')), 'deploy.env')
        const cli = await runCli(
          [
            '--tool',
            'mytool',
            '--api-url',
            url,
            '--check',
            'auto',
            '--check-timeout',
            '1s',
            '--check-expect',
            'version 2',
            '--json',
            '--dotenv',
            dotenv
          ],
          {
            env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN, TOOLFORGE_TOOL_URL: page.toolUrl }
          }
        )
        expect(cli.code).not.toBe(0)
        expect(cli.stdout).toContain('"served":"xxxx')
        expect(leakedPieces([cli.stdout, cli.stderr, readFileSync(dotenv, 'utf8')].join('\n'), TOKEN)).toEqual([])
      } finally {
        await page.close()
      }
    })
  )

  test.concurrent(
    'a git host’s ERR line',
    start(async ({ sim, url }) => {
      const line = (text: string) => `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`
      const advertisement = `${line('# service=git-upload-pack\n')}0000${line(`ERR access denied for ${splitToken(TOKEN)} (&lt;wbr&gt;${TOKEN})\n`)}`
      const git = await startWebServer(() => ({
        status: 200,
        headers: { 'content-type': 'application/x-git-upload-pack-advertisement' },
        body: advertisement
      }))
      try {
        sim.api.setToolConfig('mytool', oneComponent(`${git.url}/mytool.git`))
        const run = await runAction({ inputs: inputs(url) })
        expect(run.annotations.map((a) => a.message)).toEqual([
          expect.stringContaining('the server said: access denied for ***')
        ])
        expect(leakedPieces(run.everything, TOKEN)).toEqual([])
        const cli = await runCli(['--tool', 'mytool', '--api-url', url, '--json'], {
          env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
        })
        expect(cli.stdout).toContain('access denied for ***')
        expect(leakedPieces(`${cli.stdout}\n${cli.stderr}`, TOKEN)).toEqual([])
      } finally {
        await git.close()
      }
    })
  )
})

describe('F5 and F7: repositories read few at a time, and never shown with credentials', () => {
  test.concurrent(
    '300 components, each from its own repository: at most 4 asked at once, 20 in all, and the cut is said',
    start(async ({ sim, url }) => {
      const git = await startSlowGitHost()
      try {
        sim.api.setToolConfig('mytool', () => ({
          config_version: 'v1beta1',
          components: Object.fromEntries(
            Array.from({ length: 300 }, (_, i) => [
              `c${String(i).padStart(3, '0')}`,
              { build: { repository: `${git.url}/r${i}.git`, ref: 'main' }, run: { command: 'x' } }
            ])
          )
        }))
        const run = await runAction({ inputs: inputs(url) })
        expect(run.code).toBe(0)
        expect(git.most()).toBeLessThanOrEqual(4)
        expect(git.paths).toHaveLength(20)
        expect(run.summary).toContain(
          '280 more repositories (280 components) not asked: at most 20 are read for one deployment'
        )
      } finally {
        await git.close()
      }
    })
  )

  test.concurrent(
    'a repository address with a user and password is shown and output without them',
    start(async ({ sim, url }) => {
      sim.api.setToolConfig('mytool', (repositories) =>
        oneComponent(repositories.replace('http://', 'http://alice:s3cret-pass@') + '/mytool.git')()
      )
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      expect(run.outputs.commit).toBe(sim.git.commitOf('mytool'))
      expect(run.everything).not.toMatch(/alice|s3cret/)
      const cli = await runCli(['--tool', 'mytool', '--api-url', url, '--json'], {
        env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
      })
      const report = JSON.parse(cli.stdout) as { commits: Array<{ repository: string }> }
      expect(report.commits.map((c) => c.repository)).toEqual([`${new URL(url).origin}/git/mytool.git`])
      expect(`${cli.stdout}${cli.stderr}`).not.toMatch(/alice|s3cret/)
    })
  )
})

describe('inputs a new user gets wrong, and a simulator run by hand', () => {
  test.concurrent(
    'a config-file linked to /etc/passwd is refused with one line, its content never quoted',
    start(async ({ sim, url }) => {
      const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
      symlinkSync('/etc/passwd', join(workspace, 'toolforge.yaml'))
      const run = await runAction({
        inputs: inputs(url, { 'config-file': 'toolforge.yaml' }),
        env: { GITHUB_WORKSPACE: workspace }
      })
      expect(run.code).toBe(1)
      expect(run.annotations.map((a) => a.message)).toEqual([
        "Input 'config-file': toolforge.yaml is a link to a file outside the workspace; accepted: the path of a components config (YAML or JSON) in the workspace."
      ])
      expect(run.everything).not.toContain('root:')
      expect(sim.requests).toEqual([])
    })
  )

  test.concurrent(
    'a token of one letter is refused before any request and masks nothing',
    start(async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url, { token: 'e' }) })
      expect(run.code).toBe(1)
      expect(run.annotations).toEqual([
        {
          kind: 'error',
          title: undefined,
          message:
            "Input 'token' is 1 characters long; accepted: the tool's deploy token, a UUID of 36 characters like 0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b (at least 16 characters)."
        }
      ])
      expect(run.everything).not.toContain('***')
      expect(run.stdout).not.toContain('::add-mask::')
      const cli = await runCli(['--tool', 'mytool', '--api-url', url], { env: { TOOLFORGE_DEPLOY_TOKEN: 'e' } })
      expect(cli.code).toBe(2)
      expect(cli.stderr).toBe(
        "toolforge-deploy: TOOLFORGE_DEPLOY_TOKEN is 1 characters long; accepted: the tool's deploy token, a UUID of 36 characters like 0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b (at least 16 characters).\n" +
          `What this means, and how to fix it: ${TROUBLESHOOTING}#an-input-is-refused\n`
      )
      expect(sim.requests).toEqual([])
    })
  )

  test.concurrent(
    'a token that is no UUID gets a warning naming the shape, and the run goes on',
    start(async ({ sim, url }) => {
      const token = 'not.a-uuid_but~long-enough'
      sim.api.setToolToken('mytool', { kind: 'token', token })
      const run = await runAction({ inputs: inputs(url, { token }) })
      expect(run.code).toBe(0)
      expect(run.annotations).toEqual([
        {
          kind: 'warning',
          title: 'Deploy token',
          message: expect.stringContaining("Toolforge's are UUIDs of 36 characters")
        }
      ])
      expectNoToken(run.everything, token)
    })
  )

  test.concurrent(
    'check-timeout is honoured: a page answering 503 is asked until the limit',
    start(async ({ url }) => {
      const page = await startWebServer(() => ({ status: 503, body: 'starting' }))
      try {
        const run = await runAction({
          inputs: inputs(url, { check: 'auto', 'check-timeout': '8s' }),
          env: { TOOLFORGE_TOOL_URL: page.toolUrl }
        })
        expect(run.outputs.check).toBe('failed')
        const times = page.requests.map((r) => r.at)
        // The backoff alone stops at 4.75 s; the last probe goes with a second left for its answer.
        expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(6_500)
        expect(run.everything).toMatch(/did not answer as a serving health check within 7s \(503 × 5\)/)
      } finally {
        await page.close()
      }
    })
  )

  test.concurrent(
    'against a simulator on this machine, a serving check without TOOLFORGE_TOOL_URL asks the simulator, never toolforge.org',
    start(async ({ url }) => {
      const run = await runAction({ inputs: inputs(url, { check: 'auto' }), env: { TOOLFORGE_TOOL_URL: '' } })
      expect(run.code).toBe(0)
      expect(run.outputs).toMatchObject({
        check: 'passed',
        url: `${url}/tools/mytool/`,
        check_url: `${url}/tools/mytool/version`
      })
      expect(run.everything).not.toContain('toolforge.org')
    })
  )
})
