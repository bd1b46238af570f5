import { describe, expect, test } from '@jest/globals'
import { runAction, type ActionRun } from '../../dev/support/run-bundle.js'
import { expectNoToken } from '../helpers/leaks.js'
import {
  CRON,
  QUEUES,
  readAsMaintainer,
  startDeployment,
  tokenRequests,
  toolName,
  UPSTREAM,
  useRealApi,
  WEB,
  WORKER
} from '../helpers/real-api.js'
import { startWebServer } from '../helpers/web-server.js'

const realApi = useRealApi()

function inputs(tool: string, token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { tool, token, 'api-url': realApi().apiUrl, ...extra }
}

const DEPLOY_ID = /^\d{8}-\d{6}-[a-z0-9]{10}$/
const errors = (run: ActionRun) => run.annotations.filter((a) => a.kind === 'error')

describe(`the bundled action against the real Components API (upstream ${UPSTREAM})`, () => {
  test.concurrent('deploys a tool with a reuse_from component, and says so', async () => {
    const tool = toolName('ok')
    const token = await realApi().seedTool(tool, { web: WEB, cron: CRON })
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(0)
    expect(run.outputs.status).toBe('successful')
    expect(run.outputs.deploy_id).toMatch(DEPLOY_ID)
    expect(run.outputs.long_status).toMatch(/^Finished at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00$/)
    const deployment = JSON.parse(run.outputs.deployment!) as {
      builds: Record<string, { build_status: string; build_id: string }>
    }
    expect(deployment.builds.cron).toMatchObject({ build_status: 'skipped', build_id: 'no-build-needed' })
    expect(deployment.builds.web!.build_status).toBe('successful')
    expect(errors(run)).toEqual([])
    expect(run.summary).toContain(`Toolforge deployment successful: ${tool}`)
    expect(run.summary).toContain(run.outputs.deploy_id)
    expect(run.stdout).toContain(`Toolforge says: Deployment for ${tool} created successfully.`)
    expectNoToken(run.everything, token)
  })

  test.concurrent('a redeploy without force-build reuses the builds', async () => {
    const tool = toolName('again')
    const token = await realApi().seedTool(tool, { web: WEB })
    expect((await runAction({ inputs: inputs(tool, token) })).code).toBe(0)
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(0)
    const deployment = JSON.parse(run.outputs.deployment!) as {
      builds: Record<string, { build_status: string; build_long_status: string }>
      runs: Record<string, { run_long_status: string }>
    }
    expect(deployment.builds.web).toMatchObject({
      build_status: 'skipped',
      build_long_status: 'Reusing existing build'
    })
    expect(deployment.runs.web!.run_long_status).toMatch(/^job web is already up to date/)
    expectNoToken(run.everything, token)
  })

  test.concurrent('force-build, force-run and the description reach Toolforge and are stored', async () => {
    const tool = toolName('force')
    const token = await realApi().seedTool(tool, { web: WEB })
    expect((await runAction({ inputs: inputs(tool, token) })).code).toBe(0)
    const run = await runAction({
      inputs: inputs(tool, token, { 'force-build': 'true', 'force-run': 'true', description: 'Hotfix T1234: restart' })
    })
    expect(run.code).toBe(0)
    const stored = await readAsMaintainer(realApi(), tool, run.outputs.deploy_id!)
    expect(stored).toMatchObject({
      force_build: true,
      force_run: true,
      description: 'Hotfix T1234: restart',
      status: 'successful'
    })
    expect((stored.builds as Record<string, { build_status: string }>).web!.build_status).toBe('successful')
    expect(run.summary).toContain('force-build, force-run')
  })

  test.concurrent('a build failure fails the step and names the component', async () => {
    const tool = toolName('bfail')
    const token = await realApi().seedTool(tool, { web: WEB, worker: { ...WORKER, ref: 'broken' } })
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('failed')
    const failed = errors(run).find((a) => a.title === 'Toolforge build failed: worker')
    expect(failed?.message).toMatch(/toolforge build logs \S+-buildpacks-pipelinerun-[a-z0-9]{5}/)
    expect(errors(run).some((a) => a.message.includes('Some builds failed'))).toBe(true)
    expect(run.summary).toMatch(/toolforge build logs \S+-buildpacks-pipelinerun-[a-z0-9]{5}/)
    expectNoToken(run.everything, token)
  })

  test.concurrent('a run the jobs service refuses fails the step with its reason', async () => {
    const tool = toolName('rfail')
    const token = await realApi().seedTool(tool, {
      web: WEB,
      cron: { ...CRON, run: { command: 'python cleanup.py', schedule: 'every day at noon' } }
    })
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('failed')
    expect(errors(run).find((a) => a.title === 'Toolforge run failed: cron')?.message).toContain(
      "Unable to parse cron expression 'every day at noon'"
    )
    expect(run.summary).toContain('toolforge jobs logs cron')
  })

  test.concurrent('a wrong token is refused, and the token Toolforge echoes stays masked', async () => {
    const tool = toolName('token')
    await realApi().seedTool(tool, { web: WEB })
    const wrong = '0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b'
    const run = await runAction({ inputs: inputs(tool, wrong) })
    expect(run.code).toBe(1)
    expect(errors(run)[0]!.message).toContain(
      "Toolforge refused the deploy token (HTTP 401): The token passed '***' does not match the tool's token"
    )
    expect(run.outputs.deploy_id).toBe('')
    expectNoToken(run.everything, wrong)
  })

  test.concurrent('a tool without a components config fails with 404 and the advice to create one', async () => {
    const tool = toolName('noconf')
    const token = await realApi().createToken(tool)
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(1)
    expect(errors(run)[0]!.message).toContain(`No configuration found for tool: ${tool}`)
    expect(run.summary).toContain('toolforge components config')
  })

  test.concurrent('on-conflict: fail fails at once while another deployment runs', async () => {
    const tool = toolName('busy')
    const token = await realApi().seedTool(tool, { web: WEB })
    await realApi().setToolTimings(tool, { build_running_s: 20 })
    await startDeployment(realApi(), tool, token)
    const run = await runAction({ inputs: inputs(tool, token, { 'on-conflict': 'fail' }) })
    expect(run.code).toBe(1)
    const requests = tokenRequests(realApi(), tool)
    if (!QUEUES) {
      expect(errors(run)[0]!.message).toContain("(HTTP 409): There's already 1 running, the limit is 1.")
      // At once: the action never read a deployment's status, it only tried to create one.
      expect(requests.map((entry) => entry.method)).toEqual(['POST', 'POST'])
      return
    }
    // The server accepted it into its queue: the action says so, names it, and that it will still run.
    const id = run.outputs.deploy_id!
    expect(id).toMatch(DEPLOY_ID)
    expect(run.outputs.status).toBe('pending')
    expect(errors(run)[0]!.message).toBe(
      `deployment ${id} of ${tool} is queued on Toolforge behind another deployment of the tool, and this run was asked to fail on a conflict. It stays queued, and will still run when the deployments ahead of it have finished: a deploy token cannot cancel it.`
    )
    const [created, ...reads] = requests.slice(1)
    expect(created!.method).toBe('POST')
    expect(reads.every((r) => r.method === 'GET')).toBe(true)
    expect(reads.at(-1)!.t - created!.t).toBeLessThan(20)
  })

  test.concurrent('on-conflict: wait queues behind the deployment in progress, then deploys', async () => {
    const tool = toolName('queue')
    const token = await realApi().seedTool(tool, { web: WEB })
    // Long enough to see the queue's pace; behind a 409, the action's own backoff would make it slow.
    if (QUEUES) await realApi().setToolTimings(tool, { build_running_s: 20 })
    const first = await startDeployment(realApi(), tool, token)
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(0)
    expect(run.outputs.deploy_id).not.toBe(first)
    expect(run.summary).toMatch(/of which \d+s queued behind another deployment/)
    expect((await readAsMaintainer(realApi(), tool, first)).status).toBe('successful')
    const notice = run.annotations.find((a) => a.kind === 'notice')!
    if (!QUEUES) {
      expect(notice.title).toBe('Queued behind another Toolforge deployment')
      return
    }
    expect(notice.title).toBe('Queued on Toolforge behind another deployment')
    expect(notice.message).toBe(
      `Deployment ${run.outputs.deploy_id} is queued on Toolforge behind another deployment of ${tool}; Toolforge starts it when the deployments ahead of it have finished.`
    )
    // Said within one pass of the server's queue loop (5 s), and at most one read per pass while queued.
    const [created, ...reads] = tokenRequests(realApi(), tool).slice(1)
    // The task sets a status when it starts the deployment; queued, it has none.
    const firstStarted = reads.findIndex((r) => /[{,]"status":"/.test(r.response_body))
    const queuedFor = reads[firstStarted]!.t - created!.t
    expect(queuedFor).toBeGreaterThan(15)
    // The reads that saw it queued: one at once, one that tells it is queued, then one per pass.
    expect(reads[1]!.t - created!.t).toBeLessThan(5)
    expect(firstStarted).toBeLessThanOrEqual(2 + Math.ceil(queuedFor / 5))
    expect(run.summary).toMatch(/section queued/)
  })

  test.concurrent('wait: false returns at creation; deploy-id then follows it to the end', async () => {
    const tool = toolName('nowait')
    const token = await realApi().seedTool(tool, { web: WEB })
    const start = await runAction({ inputs: inputs(tool, token, { wait: 'false' }) })
    expect(start.code).toBe(0)
    expect(start.outputs.deploy_id).toMatch(DEPLOY_ID)
    const follow = await runAction({ inputs: inputs(tool, token, { 'deploy-id': start.outputs.deploy_id! }) })
    expect(follow.code).toBe(0)
    expect(follow.outputs.status).toBe('successful')
    expect(follow.outputs.deploy_id).toBe(start.outputs.deploy_id)
    expectNoToken(start.everything + follow.everything, token)
  })

  test.concurrent('a maintainer cancelling the deployment fails the step as cancelled', async () => {
    const tool = toolName('cancel')
    const token = await realApi().seedTool(tool, { web: WEB })
    await realApi().setToolTimings(tool, { build_running_s: 30 })
    let cancelled: Promise<unknown> | undefined
    const run = await runAction({
      inputs: inputs(tool, token),
      onStdout: (stdout) => {
        const id = /Created deployment (\S+)/.exec(stdout)?.[1]
        if (id && !cancelled && / running /.test(stdout))
          cancelled = realApi().asMaintainer(tool, 'PUT', `/deployment/${id}/cancel`)
      }
    })
    expect((await cancelled) as { status: number }).toMatchObject({ status: 200 })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('cancelled')
    expect(run.stdout).toMatch(/\] cancelled · builds: web ⊘/)
  })

  test.concurrent("the action's own timeout stops waiting; the deployment goes on", async () => {
    const tool = toolName('slow')
    const token = await realApi().seedTool(tool, { web: WEB })
    await realApi().setToolTimings(tool, { build_running_s: 20 })
    const run = await runAction({ inputs: inputs(tool, token, { timeout: '4s' }) })
    expect(run.code).toBe(1)
    expect(run.outputs.status).toBe('running')
    expect(errors(run)[0]!.message).toContain(
      `this run's timeout (4s) expired while deployment ${run.outputs.deploy_id} was running on Toolforge`
    )
    expect((await readAsMaintainer(realApi(), tool, run.outputs.deploy_id!)).status).toBe('running')
  })

  test.concurrent(
    "auto finds what to probe in the real deployment's config: the published component's health check path",
    async () => {
      const tool = toolName('serving')
      const token = await realApi().seedTool(tool, {
        web: { run: { command: 'gunicorn app:app', port: 8000, publish: '/', health_check_http: '/healthz' } },
        cron: CRON
      })
      const web = await startWebServer(() => ({ status: 200 }))
      try {
        const run = await runAction({
          inputs: inputs(tool, token, { check: 'auto' }),
          env: { TOOLFORGE_TOOL_URL: web.toolUrl }
        })
        expect(run.code).toBe(0)
        expect(run.outputs).toMatchObject({ status: 'successful', check: 'passed', check_url: `${web.url}/healthz` })
        expect(web.requests.map((r) => r.path)).toEqual(['/healthz'])
        expect(JSON.stringify(web.requests)).not.toContain(token)
      } finally {
        await web.close()
      }
    }
  )
})
