import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runCli } from '../../dev/support/run-cli.js'
import { actionNode } from '../../dev/support/runtimes.js'
import { expectNoToken } from '../helpers/leaks.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'

const env = (extra: Record<string, string> = {}) => ({ TOOLFORGE_DEPLOY_TOKEN: TOKEN, ...extra })

describe('toolforge-deploy', () => {
  test.concurrent(
    'succeeds with exit 0, --json on stdout and --dotenv for GitLab',
    withSimulator('success', async ({ url, sim }) => {
      const dotenv = join(mkdtempSync(join(tmpdir(), 'cli-')), 'deploy.env')
      const run = await runCli(['--tool', 'mytool', '--api-url', url, '--json', '--dotenv', dotenv], { env: env() })
      expect(run.code).toBe(0)
      const report = JSON.parse(run.stdout) as {
        outcome: string
        exitCode: number
        error: unknown
        deployment: { deploy_id: string; status: string; long_status: string }
      }
      const commit = sim.git.commitOf('mytool')
      expect(report).toMatchObject({
        outcome: 'successful',
        exitCode: 0,
        error: null,
        check: 'skipped',
        check_detail: { result: 'skipped', reason: 'turned off' },
        commit
      })
      expect(report).toHaveProperty(
        'commits',
        ['cron', 'web', 'worker'].map((component) => ({
          component,
          repository: `${url}/git/mytool.git`,
          ref: 'main',
          commit
        }))
      )
      const deployment = report.deployment
      expect(deployment.status).toBe('successful')
      expect(deployment).not.toHaveProperty('tool_config')
      // A success ends in one line: what, which deployment, how long, where.
      expect(run.stderr.trimEnd().split('\n').at(-1)).toMatch(
        new RegExp(`^✔ mytool deployed ${deployment.deploy_id} in \\d+s → http://127\\.0\\.0\\.1:9/mytool/$`)
      )
      expect(run.stderr).not.toContain('Timeline')
      expect(run.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(12)
      expect(readFileSync(dotenv, 'utf8')).toBe(
        `DEPLOY_ID=${deployment.deploy_id}\nDEPLOY_STATUS=successful\nDEPLOY_LONG_STATUS=${deployment.long_status}\n` +
          `DEPLOY_URL=http://127.0.0.1:9/mytool/\nDEPLOY_CHECK=skipped\nDEPLOY_CHECK_URL=\nDEPLOY_COMMIT=${commit}\n` +
          `DEPLOY_OUTCOME=successful\nDEPLOY_FAILURE=\nDEPLOY_ATTEMPTS=1\nDEPLOY_REASON=\n`
      )
      expectNoToken(run.stdout + run.stderr, TOKEN)
    })
  )

  test.concurrent(
    'a failed deployment exits 1 with Toolforge’s reason, said once, on stderr with the summary',
    withSimulator('build-failure', async ({ url }) => {
      const run = await runCli(['--tool', 'mytool', '--api-url', url], { env: env() })
      expect(run.code).toBe(1)
      expect(run.stderr.replace(/\s+/g, ' ')).toMatch(
        /Problem: Toolforge deployment \S+ of mytool failed: Got exception: Some builds failed/
      )
      expect((run.stdout + run.stderr).split('Got exception').length).toBe(2)
      expect(run.stderr).toContain('toolforge build logs mytool-buildpacks-pipelinerun-')
    })
  )

  test.concurrent(
    'its own timeout exits 3, and the dotenv still names the deployment',
    withSimulator('slow-builds', async ({ url }) => {
      const dotenv = join(mkdtempSync(join(tmpdir(), 'cli-')), 'deploy.env')
      const run = await runCli(['--tool', 'mytool', '--api-url', url, '--timeout', '2s', '--dotenv', dotenv], {
        env: env()
      })
      expect(run.code).toBe(3)
      expect(run.stderr).toContain("this run's timeout (2s) expired while deployment")
      expect(readFileSync(dotenv, 'utf8')).toMatch(/^DEPLOY_ID=\d{8}-\d{6}-[a-z0-9]{10}\nDEPLOY_STATUS=running\n/)
    })
  )

  test.concurrent(
    'SIGINT exits 3 at once, saying the deployment goes on',
    withSimulator('slow-builds', async ({ url }) => {
      const run = await runCli(['--tool', 'mytool', '--api-url', url], {
        env: env(),
        signal: { name: 'SIGINT', when: 'builds: web running' }
      })
      expect(run.code).toBe(3)
      expect(run.durationMs - run.signalledAtMs!).toBeLessThan(7_500)
      // After the progress lines, Ctrl-C gets what goes on and the command to follow it, as its error: no tables.
      expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\[/)
      expect(run.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^✖ Interrupted; \d{8}-\d{6}-[a-z0-9]{10} continues on Toolforge \(running\)$/),
        expect.stringMatching(
          /^ {2}toolforge-deploy --tool mytool --deploy-id \d{8}-\d{6}-[a-z0-9]{10} --api-url http:\/\/127\.0\.0\.1:\d+$/
        )
      ])
    })
  )

  test.concurrent(
    'a refused token exits 4 and is never shown',
    withSimulator('single', async ({ url }) => {
      const wrong = 'wr0ng.t0k_en~9-c4e5'
      const run = await runCli(['--tool', 'mytool', '--api-url', url, '--json'], {
        env: { TOOLFORGE_DEPLOY_TOKEN: wrong }
      })
      expect(run.code).toBe(4)
      // Said once, in the summary (on stderr with --json), its lines wrapped.
      expect(run.stderr.replace(/\s+/g, ' ')).toContain(
        "Toolforge refused the deploy token (HTTP 401): The token passed '***' does not match the tool's token"
      )
      expect(run.stderr.split('does not match').length + run.stderr.split('does\n').length).toBe(3)
      expect(JSON.parse(run.stdout)).toEqual({
        outcome: 'refused',
        exitCode: 4,
        deploy_id: '',
        status: '',
        long_status: '',
        url: 'http://127.0.0.1:9/mytool/',
        check: 'skipped',
        check_url: '',
        commit: '',
        deployment: null,
        check_detail: null,
        commits: [],
        failure: 'input',
        attempts: '0',
        attempts_detail: [],
        reason:
          "creating the deployment failed: Toolforge refused the deploy token (HTTP 401): The token passed '***' does not match the tool's token",
        error: { kind: 'http', httpStatus: 401 }
      })
      expectNoToken(run.stdout + run.stderr, wrong)
    })
  )

  test.concurrent(
    'a 409 with --on-conflict fail exits 4',
    withSimulator('single', async ({ sim, url }) => {
      sim.api.occupy('mytool', 60_000)
      const run = await runCli(['--tool', 'mytool', '--api-url', url, '--on-conflict', 'fail'], { env: env() })
      expect(run.code).toBe(4)
      expect(run.stderr).toContain('(HTTP 409)')
    })
  )

  test.concurrent('an unreachable API exits 4 after its retries', async () => {
    const run = await runCli(['--tool', 'mytool', '--api-url', 'http://127.0.0.1:9', '--timeout', '3s'], { env: env() })
    expect(run.code).toBe(4)
    expect(run.stdout).toContain('could not connect to the API (ECONNREFUSED)')
    expect(run.stderr.replace(/\s+/g, ' ')).toMatch(
      /Problem: creating the deployment failed: gave up after \d+ failed attempts to create the deployment in a row; the last one: could not connect to the API \(ECONNREFUSED\)/
    )
  })

  test.concurrent.each([
    [['--tool', 'Bad_Name'], /^toolforge-deploy: --tool is "Bad_Name"; accepted: a Toolforge tool name/],
    [['--tool', 'x', '--timeout', 'forever'], /^toolforge-deploy: --timeout is "forever"; accepted:/],
    [['--tool', 'x', '--on-conflict', 'queue'], /^toolforge-deploy: --on-conflict is "queue"; accepted: wait or fail/],
    [
      ['--tool', 'x', '--token', 'abc'],
      /^toolforge-deploy: --token is not accepted: pass the deploy token in the TOOLFORGE_DEPLOY_TOKEN environment variable/
    ],
    [['--tool', 'x', '--bogus'], /^toolforge-deploy: Unknown option '--bogus'/],
    [['deploy'], /^toolforge-deploy: Unexpected argument 'deploy'/]
  ])('bad usage %j exits 2', async (args, message) => {
    const run = await runCli(args, { env: env() })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stdout).toBe('')
  })

  test.concurrent(
    'no token exits 2 and says where it comes from, telling a variable not set from an empty one',
    async () => {
      const unset = await runCli(['--tool', 'x'])
      expect(unset.code).toBe(2)
      expect(unset.stderr).toContain("TOOLFORGE_DEPLOY_TOKEN is not set; accepted: the tool's deploy token")
      const empty = await runCli(['--tool', 'x'], { env: { TOOLFORGE_DEPLOY_TOKEN: '' } })
      expect(empty.code).toBe(2)
      expect(empty.stderr).toContain("TOOLFORGE_DEPLOY_TOKEN is empty; accepted: the tool's deploy token")
    }
  )

  test.concurrent('--help documents every flag and exit code; --version prints the version', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    for (const flag of [
      '--tool',
      '--api-url',
      '--force-build',
      '--force-run',
      '--description',
      '--no-wait',
      '--timeout',
      '--poll-interval',
      '--on-conflict',
      '--deploy-id',
      '--json',
      '--dotenv',
      '--help',
      '--version'
    ]) {
      expect(help.stdout).toContain(flag)
    }
    for (const code of ['0  ', '1  ', '2  ', '3  ', '4  ']) expect(help.stdout).toContain(`  ${code}`)
    const version = await runCli(['--version'])
    expect(version.stdout).toMatch(/^toolforge-deploy \d+\.\d+\.\d+\n$/)
  })

  test.concurrent(
    'in GitLab CI, the wait is a collapsible section and the description names the pipeline',
    withSimulator('single', async ({ sim, url }) => {
      const gitlab = {
        GITLAB_CI: 'true',
        CI_PROJECT_NAME: 'mytool',
        CI_PROJECT_PATH: 'toolforge-repos/mytool',
        CI_COMMIT_SHA: '0123456789abcdef',
        CI_COMMIT_REF_NAME: 'main',
        GITLAB_USER_LOGIN: 'alice',
        CI_PIPELINE_URL: 'https://gitlab.wikimedia.org/toolforge-repos/mytool/-/pipelines/7'
      }
      const run = await runCli(['--api-url', url, '--json'], { env: env(gitlab) })
      expect(run.code).toBe(0)
      const escape = '\x1b[0K'
      expect(run.stderr).toMatch(
        new RegExp(
          `${escape.replace('[', '\\[')}section_start:\\d+:toolforge_deploy\r${escape.replace('[', '\\[')}Waiting for the Toolforge deployment of mytool`
        )
      )
      expect(run.stderr).toContain(`${escape}section_end:`)
      expect(sim.requests[0]!.path).toMatch(/^\/components\/v1\/tool\/mytool\/deployment/)
      expect((JSON.parse(run.stdout) as { deployment: { description: string } }).deployment.description).toBe(
        'Deployed by GitLab CI from toolforge-repos/mytool@0123456, ref main, by alice, pipeline https://gitlab.wikimedia.org/toolforge-repos/mytool/-/pipelines/7'
      )
    })
  )

  test.concurrent(
    'colours only on a terminal: none in a pipe',
    withSimulator('single', async ({ url }) => {
      const run = await runCli(['--tool', 'mytool', '--api-url', url], { env: env() })
      expect(run.code).toBe(0)
      expect(run.stdout).not.toContain('\x1b[')
    })
  )
})

describe('toolforge-deploy on each runtime it supports', () => {
  const runtimes: Array<[string, string]> = [
    [`this Node (${process.versions.node})`, process.execPath],
    ['Node 24', actionNode()]
  ]

  test.concurrent.each(runtimes)(
    'on %s: deploys, fails and refuses with the documented exit codes',
    async (_name, node) => {
      await withSimulator('single', async ({ url }) => {
        const ok = await runCli(['--tool', 'mytool', '--api-url', url, '--json'], { env: env(), node })
        expect(ok.code).toBe(0)
        expect((JSON.parse(ok.stdout) as { deployment: { status: string } }).deployment.status).toBe('successful')
        const refused = await runCli(['--tool', 'mytool', '--api-url', url], {
          env: { TOOLFORGE_DEPLOY_TOKEN: 'wr0ng.t0ken-0123456' },
          node
        })
        expect(refused.code).toBe(4)
        expectNoToken(refused.stdout + refused.stderr, 'wr0ng.t0ken-0123456')
      })()
      await withSimulator('build-failure', async ({ url }) => {
        expect((await runCli(['--tool', 'mytool', '--api-url', url], { env: env(), node })).code).toBe(1)
      })()
    }
  )
})
