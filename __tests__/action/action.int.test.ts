import { describe, expect, test } from '@jest/globals'
import { expectNoToken } from '../helpers/leaks.js'
import { runAction, type ActionRun } from '../../dev/support/run-bundle.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'

function inputs(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { tool: 'mytool', token: TOKEN, 'api-url': url, ...extra }
}

function deploymentOutput(run: ActionRun): Record<string, unknown> {
  return JSON.parse(run.outputs.deployment!) as Record<string, unknown>
}

function progressLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => /^\[\d+(m\d\d)?s\] /.test(line))
}

describe('the bundled action against the simulator', () => {
  test.concurrent(
    'a quiet deployment logs its changes, not its polls',
    withSimulator('slow-builds', async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      const progress = progressLines(run)
      expect(progress.length).toBeLessThan(sim.countRequests('GET'))
      // Every line after the first names what changed; none repeats the state before it.
      for (const line of progress.slice(1)) expect(line).toMatch(/ · |\] (running|successful)$/)
      expect(new Set(progress.map((line) => line.replace(/^\[[^\]]*\] /, ''))).size).toBe(progress.length)
    })
  )

  test.concurrent(
    'a successful deployment turns the step green with every output',
    withSimulator('success', async ({ sim, url }) => {
      // The tools' default address, never asked: the check is off.
      const env = {
        GITHUB_REPOSITORY: 'me/mytool',
        GITHUB_SHA: 'abcdef1234567',
        GITHUB_RUN_ID: '42',
        TOOLFORGE_TOOL_URL: 'https://{tool}.toolforge.org/'
      }
      const run = await runAction({ inputs: inputs(url), env })
      expect(run.code).toBe(0)
      expect(run.outputs.status).toBe('successful')
      expect(run.outputs.deploy_id).toMatch(/^\d{8}-\d{6}-[a-z0-9]{10}$/)
      expect(run.outputs.long_status).toMatch(/^Finished at /)
      expect(run.outputs.url).toBe('https://mytool.toolforge.org/')
      const deployment = deploymentOutput(run)
      expect(deployment.deploy_id).toBe(run.outputs.deploy_id)
      expect(deployment).not.toHaveProperty('tool_config')
      expect(run.annotations.filter((a) => a.kind === 'error')).toEqual([])
      expect(run.summary).toContain('✅ Toolforge deployment successful: mytool')
      expect(run.summary).toContain(run.outputs.deploy_id)
      expect(run.summary).toMatch(
        /\| web \| ✅\u00a0successful,\u00a0\d+s<br>`mytool-buildpacks-pipelinerun-[a-z0-9]{5}` \| ✅\u00a0successful/
      )
      expect(run.summary).toMatch(/\| cron \| ⏭️\u00a0skipped<br>reused from web \| ✅\u00a0successful/)
      // The run, an address of our own making, is a link: Toolforge's texts never are.
      expect(run.summary).toContain(
        ', run [https://github.com/<wbr>me/<wbr>mytool/<wbr>actions/<wbr>runs/<wbr>42](https://github.com/me/mytool/actions/runs/42) |'
      )
      expect(run.summary).toContain('```mermaid\ngantt\n')
      expect(run.outputs.check).toBe('skipped')
      expect(run.summary).toContain('Deployed by GitHub Actions from me/mytool@abcdef1')
      expect(sim.countRequests('POST')).toBe(1)
      expect(sim.requests[0]!.userAgent).toMatch(/^toolforge-deploy-action\/\d+\.\d+\.\d+/)
      const progress = progressLines(run)
      expect(progress[0]).toMatch(/^\[\d+s\] pending$/)
      expect(progress.at(-1)).toMatch(/^\[\d+s\] successful/)
      expect(run.stdout.split('Toolforge says: Deployment for mytool created successfully.').length).toBe(2)
      expectNoToken(run.everything, TOKEN)
    })
  )

  test.concurrent(
    'a build failure fails the step and names the component and its reason',
    withSimulator('build-failure', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('failed')
      const errors = run.annotations.filter((a) => a.kind === 'error')
      expect(errors.find((a) => a.title === 'Toolforge build failed: worker')?.message).toMatch(
        /toolforge build logs mytool-buildpacks-pipelinerun-[a-z0-9]{5}/
      )
      expect(errors.some((a) => a.message.includes('Some builds failed'))).toBe(true)
      expect(run.summary).toContain('❌ Toolforge deployment failed: mytool')
      expect(run.summary).toMatch(/toolforge build logs mytool-buildpacks-pipelinerun-[a-z0-9]{5}/)
      expect(run.summary).toContain('force-build: true')
      expect(run.summary).toMatch(/\| web \| ✅\u00a0successful,\u00a0\d+s<br>`[^`]+` \| ⏭️\u00a0skipped \|/)
      expect(run.summary).toMatch(/\| worker \| ❌\u00a0failed,\u00a0\d+s<br>`[^`]+` \| ⏭️\u00a0skipped \|/)
      // Toolforge's long status is the problem, stated once.
      expect(run.summary.split('Some builds failed').length).toBe(2)
    })
  )

  test.concurrent(
    'a run failure fails the step with a run annotation',
    withSimulator('run-failure', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('failed')
      const annotation = run.annotations.find((a) => a.title === 'Toolforge run failed: cron')
      expect(annotation?.message).toContain("Unable to parse cron expression 'every day at noon'")
      expect(run.summary).toContain('toolforge jobs logs cron')
    })
  )

  test.concurrent(
    "Toolforge's own timed_out fails the step",
    withSimulator('timed-out', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('timed_out')
      expect(run.annotations.some((a) => a.kind === 'error' && a.message.includes(' timed out before '))).toBe(true)
    })
  )

  test.concurrent(
    'a deployment cancelled on Toolforge fails the step',
    withSimulator('cancelled', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('cancelled')
      expect(run.stdout).toMatch(/\] cancelled · builds: web ⊘/)
    })
  )

  test.concurrent(
    'an unknown status is waited through with a single warning',
    withSimulator('unknown-status', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      expect(run.outputs.status).toBe('successful')
      const warnings = run.annotations.filter((a) => a.kind === 'warning')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.message).toContain('paused-for-maintenance')
    })
  )

  test.concurrent(
    'wait: false returns as soon as the deployment exists',
    withSimulator('slow-builds', async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url, { wait: 'false' }) })
      expect(run.code).toBe(0)
      expect(run.outputs.status).toBe('pending')
      expect(run.outputs.deploy_id).toMatch(/^\d{8}-/)
      expect(sim.countRequests('GET')).toBe(0)
      expect(run.summary).toContain('Toolforge deployment started')
    })
  )

  test.concurrent(
    'deploy-id follows an existing deployment without creating one',
    withSimulator('success', async ({ sim, url }) => {
      const id = sim.api.occupy('mytool', 1_500)
      const run = await runAction({ inputs: inputs(url, { 'deploy-id': id }) })
      expect(run.code).toBe(0)
      expect(run.outputs.deploy_id).toBe(id)
      expect(run.outputs.status).toBe('successful')
      expect(sim.countRequests('POST')).toBe(0)
    })
  )

  test.concurrent(
    'deploy-id with wait: false reads the deployment once and reports its state',
    withSimulator('success', async ({ sim, url }) => {
      const id = sim.api.occupy('mytool', 60_000)
      const run = await runAction({ inputs: inputs(url, { 'deploy-id': id, wait: 'false' }) })
      expect(run.code).toBe(0)
      expect(run.outputs.deploy_id).toBe(id)
      expect(run.outputs.status).toMatch(/^(pending|running)$/)
      expect(sim.countRequests('GET')).toBe(1)
      expect(sim.countRequests('POST')).toBe(0)
    })
  )

  test.concurrent(
    "the action's own timeout is a different failure, and the deployment goes on",
    withSimulator('slow-builds', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url, { timeout: '3s' }) })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('running')
      expect(run.outputs.deploy_id).toMatch(/^\d{8}-/)
      const failure = run.annotations.find((a) => a.kind === 'error')!
      expect(failure.message).toContain(
        `this run's timeout (3s) expired while deployment ${run.outputs.deploy_id} was running on Toolforge`
      )
      expect(failure.message).toContain('goes on there')
      expect(run.summary).toContain('Stopped waiting for the deployment')
      expect(run.durationMs).toBeGreaterThanOrEqual(3_000)
    })
  )

  test.concurrent(
    'an unknown deploy-id fails with the 404 explanation',
    withSimulator('success', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url, { 'deploy-id': '20250703-075322-5zxh2hip26' }) })
      expect(run.code).toBe(1)
      expect(run.outputs.deploy_id).toBe('20250703-075322-5zxh2hip26')
      expect(run.annotations.find((a) => a.kind === 'error')?.message).toContain(
        'Toolforge knows no deployment 20250703-075322-5zxh2hip26 of tool mytool (HTTP 404)'
      )
    })
  )

  test.concurrent(
    'a tool without config fails with 404 and the advice to check the config',
    withSimulator('success', async ({ sim, url }) => {
      sim.api.removeConfig('mytool')
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(run.annotations.find((a) => a.kind === 'error')?.message).toContain(
        'No configuration found for tool: mytool'
      )
      expect(run.summary).toContain('toolforge components config show')
    })
  )

  test.concurrent(
    'without GITHUB_STEP_SUMMARY the summary is printed to the log',
    withSimulator('single', async ({ url }) => {
      const run = await runAction({ inputs: inputs(url), noSummaryFile: true })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('✔ Toolforge deployment successful: mytool')
      expect(run.stdout).toMatch(/\n {2}Component +Build +Run +Image +Toolforge says/)
    })
  )

  test.concurrent(
    'the tool defaults to the repository name',
    withSimulator('single', async ({ sim, url }) => {
      const run = await runAction({
        inputs: { token: TOKEN, 'api-url': url },
        env: { GITHUB_REPOSITORY: 'someone/othertool', TOOLFORGE_TOOL_URL: 'https://{tool}.toolforge.org/' }
      })
      expect(run.code).toBe(0)
      expect(sim.requests[0]!.path).toMatch(/^\/components\/v1\/tool\/othertool\/deployment\?token=\*\*\*$/)
      expect(run.outputs.url).toBe('https://othertool.toolforge.org/')
    })
  )

  test.concurrent(
    'force-build and force-run reach Toolforge as query flags',
    withSimulator('single', async ({ sim, url }) => {
      const run = await runAction({
        inputs: inputs(url, { 'force-build': 'true', 'force-run': 'True', description: 'hotfix' })
      })
      expect(run.code).toBe(0)
      expect(sim.requests[0]!.path).toBe(
        '/components/v1/tool/mytool/deployment?token=***&force-build=true&force-run=true'
      )
      const deployment = deploymentOutput(run)
      expect(deployment).toMatchObject({ force_build: true, force_run: true, description: 'hotfix' })
    })
  )

  test.concurrent(
    'the bundle runs on Node 24, the runtime action.yml names',
    withSimulator('single', async ({ url }) => {
      const run = await runAction({
        inputs: inputs(url, { wait: 'false' }),
        env: { NODE_OPTIONS: "--import=data:text/javascript,process.stderr.write('runtime='+process.versions.node)" }
      })
      expect(run.code).toBe(0)
      expect(run.stderr).toMatch(/^runtime=24\./)
    })
  )
})

describe('a deployment queued on Toolforge behind another (the next Components API)', () => {
  test.concurrent(
    'is said once, in the log, an annotation and the summary, and read about once per queue pass',
    withSimulator('queued', async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      const notice = run.annotations.find((a) => a.kind === 'notice')!
      expect(notice).toEqual({
        kind: 'notice',
        title: 'Queued on Toolforge behind another deployment',
        message: `Deployment ${run.outputs.deploy_id} is queued on Toolforge behind another deployment of mytool; Toolforge starts it when the deployments ahead of it have finished.`
      })
      expect(run.summary).toMatch(/\| Duration \| \d+s, of which 2\ds queued behind another deployment \|/)
      expect(run.summary).toContain('section queued')
      // 20 s in the queue: a read at once, one that tells, then one per 5 s pass.
      const reads = sim.requests.filter((r) => r.method === 'GET' && r.at - sim.requests[0]!.at <= 21_000)
      expect(reads.length).toBeLessThanOrEqual(2 + 5)
    })
  )

  test.concurrent(
    'with on-conflict: fail, the step fails once it is known to be queued, naming it',
    withSimulator('queued', async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url, { 'on-conflict': 'fail' }) })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('pending')
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toContain(
        `deployment ${run.outputs.deploy_id} of mytool is queued on Toolforge`
      )
      expect(run.summary).toContain('Queued behind another Toolforge deployment: mytool')
      expect(sim.countRequests('GET')).toBe(2)
    })
  )
})

describe('dry-run: true', () => {
  test.concurrent(
    'asks whether Toolforge accepts the token, once, and deploys nothing',
    withSimulator('single', async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url, { 'dry-run': 'true' }) })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Toolforge accepts the deploy token for mytool; nothing was deployed.')
      expect(run.summary).toContain('Toolforge accepts the deploy token for mytool; nothing was deployed')
      expect(run.summary).not.toContain('Duration')
      expect(sim.countRequests('POST')).toBe(0)
      expect(sim.countRequests('GET')).toBe(1)
      expect(run.outputs).toMatchObject({
        url: 'http://127.0.0.1:9/mytool/',
        check: 'skipped',
        outcome: 'token-accepted',
        deploy_id: '',
        status: ''
      })
    })
  )

  test.concurrent(
    'fails with Toolforge’s reason when it refuses the token',
    withSimulator('single', async ({ sim, url }) => {
      const run = await runAction({ inputs: { ...inputs(url, { 'dry-run': 'true' }), token: 'Wr0ng.t0k_en~x-9f8e' } })
      expect(run.code).toBe(1)
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toBe(
        "checking the deploy token failed: Toolforge refused the deploy token (HTTP 401): The token passed '***' does not match the tool's token"
      )
      expect(run.summary).toContain('toolforge components deploy-token create')
      expect(sim.countRequests('POST')).toBe(0)
    })
  )
})
