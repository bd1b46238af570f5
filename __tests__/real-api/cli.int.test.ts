import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runCli } from '../../scripts/run-cli.js'
import { expectNoToken } from '../helpers/leaks.js'
import { CRON, toolName, useRealApi, WEB, WORKER } from '../helpers/real-api.js'

const realApi = useRealApi()

const args = (tool: string, ...more: string[]) => ['--tool', tool, '--api-url', realApi().apiUrl, ...more]
const dotenvFile = () => join(mkdtempSync(join(tmpdir(), 'real-cli-')), 'deploy.env')

describe('toolforge-deploy against the real Components API', () => {
  test.concurrent('deploys with exit 0, the deployment as JSON and the dotenv report', async () => {
    const tool = toolName('cli-ok')
    const token = await realApi().seedTool(tool, { web: WEB, cron: CRON })
    const dotenv = dotenvFile()
    const run = await runCli(args(tool, '--json', '--dotenv', dotenv), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(run.code).toBe(0)
    const deployment = (JSON.parse(run.stdout) as { deployment: { deploy_id: string; status: string } }).deployment
    expect(deployment.status).toBe('successful')
    expect(readFileSync(dotenv, 'utf8')).toContain(`DEPLOY_ID=${deployment.deploy_id}\nDEPLOY_STATUS=successful\n`)
    expect(run.stderr).toContain(`Toolforge deployment successful: ${tool}`)
    expectNoToken(run.stdout + run.stderr + readFileSync(dotenv, 'utf8'), token)
  })

  test.concurrent('a build failure exits 1 with the build log command', async () => {
    const tool = toolName('cli-bfail')
    const token = await realApi().seedTool(tool, { worker: { ...WORKER, ref: 'broken' } })
    const run = await runCli(args(tool), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/Some builds failed/)
    expect(run.stdout).toMatch(/toolforge build logs \S+-buildpacks-pipelinerun-[a-z0-9]{5}/)
  })

  test.concurrent('a wrong token exits 4, masked', async () => {
    const tool = toolName('cli-token')
    await realApi().seedTool(tool, { web: WEB })
    const wrong = '5e0c9d8b-7a6f-4e5d-8c3b-2a1f0e9d8c7b'
    const run = await runCli(args(tool), { env: { TOOLFORGE_DEPLOY_TOKEN: wrong } })
    expect(run.code).toBe(4)
    expect(run.stderr).toContain("The token passed '***' does not match the tool's token")
    expectNoToken(run.stdout + run.stderr, wrong)
  })

  test.concurrent('its own timeout exits 3; --deploy-id then follows the deployment to the end', async () => {
    const tool = toolName('cli-slow')
    const token = await realApi().seedTool(tool, { web: WEB })
    await realApi().setToolTimings(tool, { build_running_s: 6 })
    const dotenv = dotenvFile()
    const first = await runCli(args(tool, '--timeout', '2s', '--dotenv', dotenv), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(first.code).toBe(3)
    const id = /^DEPLOY_ID=(\S+)$/m.exec(readFileSync(dotenv, 'utf8'))![1]!
    const follow = await runCli(args(tool, '--deploy-id', id), { env: { TOOLFORGE_DEPLOY_TOKEN: token } })
    expect(follow.code).toBe(0)
    expect(follow.stdout).toContain(id)
  })
})
