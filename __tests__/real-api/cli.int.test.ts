import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runCli } from '../../dev/support/run-cli.js'
import { expectNoToken } from '../helpers/leaks.js'
import { runAction } from '../../dev/support/run-bundle.js'
import {
  CRON,
  QUEUES,
  startDeployment,
  tokenRequests,
  toolName,
  UPSTREAM,
  useRealApi,
  WEB,
  WORKER
} from '../helpers/real-api.js'

const realApi = useRealApi()

const args = (tool: string, ...more: string[]) => ['--tool', tool, '--api-url', realApi().apiUrl, ...more]
const dotenvFile = () => join(mkdtempSync(join(tmpdir(), 'real-cli-')), 'deploy.env')

describe(`toolforge-deploy against the real Components API (upstream ${UPSTREAM})`, () => {
  test.concurrent(
    '--on-conflict fail exits 4 while another deployment is in progress, naming what Toolforge did',
    async () => {
      const tool = toolName('cli-busy')
      const token = await realApi().seedTool(tool, { web: WEB })
      await realApi().setToolTimings(tool, { build_running_s: 20 })
      await startDeployment(realApi(), tool, token)
      const run = await runCli(args(tool, '--on-conflict', 'fail', '--json'), {
        env: { TOOLFORGE_DEPLOY_TOKEN: token }
      })
      expect(run.code).toBe(4)
      const report = JSON.parse(run.stdout) as { outcome: string; deployment: { deploy_id: string } | null }
      if (QUEUES) {
        expect(report.outcome).toBe('queued')
        expect(run.stderr).toContain(`deployment ${report.deployment!.deploy_id} of ${tool} is queued on Toolforge`)
        expect(run.stderr).toContain('will still run')
      } else {
        expect(report.outcome).toBe('refused')
        expect(run.stderr).toContain('(HTTP 409)')
      }
    }
  )

  // Upstream's next version carries build envvars, whose values may be secrets, in every deployment's tool_config.
  test.concurrent(
    'a secret build envvar value appears nowhere: not in the action’s log, debug log, outputs or summary, nor in the command’s output, --json or dotenv',
    async () => {
      const secret = 'envvar-secret-7f3a9c1e5b'
      const tool = toolName('envvars')
      const token = await realApi().seedTool(tool, { web: { ...WEB, envvars: { API_KEY: secret } } })
      const action = await runAction({
        inputs: { tool, token, 'api-url': realApi().apiUrl },
        env: { RUNNER_DEBUG: '1' }
      })
      expect(action.code).toBe(0)
      expect(action.stdout).toContain('::debug::')
      const dotenv = dotenvFile()
      const cli = await runCli(args(tool, '--json', '--verbose', '--dotenv', dotenv, '--force-build'), {
        env: { TOOLFORGE_DEPLOY_TOKEN: token }
      })
      expect(cli.code).toBe(0)
      for (const text of [action.everything, cli.stdout, cli.stderr, readFileSync(dotenv, 'utf8')])
        expect(text).not.toContain(secret)
      // The next server sends it back in every deployment it answers with; the current one drops it.
      const echoed = tokenRequests(realApi(), tool).some((r) => r.response_body.includes(secret))
      expect(echoed).toBe(UPSTREAM === 'next' || UPSTREAM === 'envvars')
    }
  )

  test.concurrent('deploys with exit 0, the deployment as JSON and the dotenv report', async () => {
    const tool = toolName('cli-ok')
    const token = await realApi().seedTool(tool, { web: WEB, cron: CRON })
    const dotenv = dotenvFile()
    const run = await runCli(args(tool, '--json', '--dotenv', dotenv), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(run.code).toBe(0)
    const deployment = (JSON.parse(run.stdout) as { deployment: { deploy_id: string; status: string } }).deployment
    expect(deployment.status).toBe('successful')
    expect(readFileSync(dotenv, 'utf8')).toContain(`DEPLOY_ID=${deployment.deploy_id}\nDEPLOY_STATUS=successful\n`)
    expect(run.stderr).toContain(`✔ ${tool} deployed ${deployment.deploy_id} in `)
    expectNoToken(run.stdout + run.stderr + readFileSync(dotenv, 'utf8'), token)
  })

  test.concurrent('a build failure exits 1 with the build log command', async () => {
    const tool = toolName('cli-bfail')
    const token = await realApi().seedTool(tool, { worker: { ...WORKER, ref: 'broken' } })
    const run = await runCli(args(tool), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/Some builds failed/)
    expect(run.stderr).toMatch(/toolforge build logs \S+-buildpacks-pipelinerun-[a-z0-9]{5}/)
  })

  test.concurrent('a wrong token exits 4, masked', async () => {
    const tool = toolName('cli-token')
    await realApi().seedTool(tool, { web: WEB })
    const wrong = '5e0c9d8b-7a6f-4e5d-8c3b-2a1f0e9d8c7b'
    const run = await runCli(args(tool), { env: { TOOLFORGE_DEPLOY_TOKEN: wrong } })
    expect(run.code).toBe(4)
    expect(run.stderr.replace(/\s+/g, ' ')).toContain("The token passed '***' does not match the tool's token")
    expectNoToken(run.stdout + run.stderr, wrong)
  })

  test.concurrent('its own timeout exits 3; --deploy-id then follows the deployment to the end', async () => {
    const tool = toolName('cli-slow')
    const token = await realApi().seedTool(tool, { web: WEB })
    await realApi().setToolTimings(tool, { build_running_s: 6 })
    const dotenv = dotenvFile()
    const first = await runCli(args(tool, '--timeout', '2s', '--dotenv', dotenv), {
      env: { TOOLFORGE_DEPLOY_TOKEN: token }
    })
    expect(first.code).toBe(3)
    const id = /^DEPLOY_ID=(\S+)$/m.exec(readFileSync(dotenv, 'utf8'))![1]!
    const follow = await runCli(args(tool, '--deploy-id', id), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(follow.code).toBe(0)
    expect(follow.stdout).toContain(id)
  })
})

describe(`a dry run against the real Components API (upstream ${UPSTREAM})`, () => {
  /** What the server logged of the tool's requests made with a token: a dry run creates nothing. */
  const creations = (tool: string) => tokenRequests(realApi(), tool).filter((r) => r.method === 'POST')

  test.concurrent('a valid token: the step passes, the command exits 0, and nothing was created', async () => {
    const tool = toolName('dry-ok')
    const token = await realApi().seedTool(tool, { web: WEB })
    const action = await runAction({ inputs: { tool, token, 'api-url': realApi().apiUrl, 'dry-run': 'true' } })
    expect(action.code).toBe(0)
    expect(action.stdout).toContain(`Toolforge accepts the deploy token for ${tool}; nothing was deployed.`)
    const cli = await runCli(args(tool, '--dry-run'), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(cli.code).toBe(0)
    expect(cli.stdout).toContain(`Toolforge accepts the deploy token for ${tool}; nothing was deployed`)
    expect(creations(tool)).toEqual([])
    expect(tokenRequests(realApi(), tool).map((r) => r.method)).toEqual(['GET', 'GET'])
  })

  test.concurrent.each([
    ['a wrong token', 'wrong', "does not match the tool's token"],
    ['a tool without a token', 'none', 'has no deploy token yet']
  ])('%s: a red step and exit 4, with Toolforge’s reason, and nothing was created', async (_name, kind, reason) => {
    const tool = toolName(`dry-${kind}`)
    await realApi().setConfig(tool, { web: WEB })
    if (kind === 'wrong') await realApi().createToken(tool)
    const token = '5e0c9d8b-7a6f-4e5d-8c3b-2a1f0e9d8c7b'
    const action = await runAction({ inputs: { tool, token, 'api-url': realApi().apiUrl, 'dry-run': 'true' } })
    expect(action.code).toBe(1)
    expect(action.annotations.find((a) => a.kind === 'error')!.message).toMatch(
      new RegExp(`^checking the deploy token failed: Toolforge refused the deploy token \\(HTTP 401\\): .*${reason}`)
    )
    const cli = await runCli(args(tool, '--dry-run'), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(cli.code).toBe(4)
    expect(cli.stderr.replace(/\s+/g, ' ')).toContain(reason)
    expect(creations(tool)).toEqual([])
    expectNoToken(action.everything + cli.stdout + cli.stderr, token)
  })
})
