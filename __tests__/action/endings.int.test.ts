import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { TROUBLESHOOTING } from '../../src/report/troubleshooting.js'
import { runCli } from '../../dev/support/run-cli.js'
import { ToolforgeSimulator } from '../../dev/simulator/server.js'
import { startSimulator, TOKEN, toolInputs, withQuickTool, withSimulator } from '../helpers/simulator.js'
import { startWebServer } from '../helpers/web-server.js'

const TOKEN_ENV = { TOOLFORGE_DEPLOY_TOKEN: TOKEN }

/** A simulator whose log line matching `pattern` resolves `seen`: the moment a test acts at. */
async function watchedSimulator(pattern: RegExp) {
  let saw: () => void = () => {}
  const seen = new Promise<void>((resolve) => (saw = resolve))
  const started = await startSimulator({ scenario: 'single', log: (line) => pattern.test(line) && saw() })
  return { ...started, seen }
}

/** Endings that must say only what is true (issue 40): each against the simulator on this machine. */
describe('endings told truthfully', () => {
  test.concurrent('an IPv6 api-url, http://[::1]:PORT, connects, for the action and the command', async () => {
    const sim = new ToolforgeSimulator({ token: TOKEN, scenario: 'single' })
    const url = await sim.listen(0, '::1')
    try {
      expect(url).toMatch(/^http:\/\/\[::1\]:\d+$/)
      const run = await runAction({ inputs: { tool: 'mytool', token: TOKEN, 'api-url': url } })
      expect([run.code, run.outputs.status]).toEqual([0, 'successful'])
      const cli = await runCli(['--tool', 'mytool', '--api-url', url], { env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN } })
      expect(cli.code).toBe(0)
    } finally {
      await sim.close()
    }
  })

  test.concurrent(
    'following an existing deployment without waiting never says this run created it',
    withSimulator('single', async ({ url }) => {
      const created = await runCli(['--tool', 'mytool', '--api-url', url, '--no-wait', '--json'], {
        env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
      })
      const id = (JSON.parse(created.stdout) as { deploy_id: string }).deploy_id
      expect(created.stderr).toContain(`deployment ${id} created on Toolforge; not waiting for it`)
      const followed = await runCli(['--tool', 'mytool', '--api-url', url, '--no-wait', '--deploy-id', id], {
        env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
      })
      expect(followed.code).toBe(0)
      expect(followed.stdout).toMatch(
        new RegExp(`✔ mytool: deployment ${id} is (pending|running|successful) on Toolforge; not waiting for it`)
      )
      expect(followed.stdout).not.toContain('created on Toolforge')
      const action = await runAction({
        inputs: { tool: 'mytool', token: TOKEN, 'api-url': url, wait: 'false', 'deploy-id': id }
      })
      expect(action.annotations.map((a) => a.message)).toEqual([
        expect.stringMatching(
          new RegExp(`^Deployment ${id} is \\w+ on Toolforge; not waiting for it \\(wait: false\\)\\.$`)
        )
      ])
    })
  )

  test.concurrent(
    'a dry run given a deploy-id is refused, naming both, before any request',
    withSimulator('single', async ({ sim, url }) => {
      const id = '20250703-075322-5zxh2hip26'
      const cli = await runCli(['--tool', 'mytool', '--api-url', url, '--dry-run', '--deploy-id', id], {
        env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
      })
      expect(cli.code).toBe(2)
      expect(cli.stderr).toBe(
        'toolforge-deploy: --deploy-id is set, but --dry-run is true, which follows no deployment; accepted: a dry run without deploy-id, or deploy-id without dry-run.\n' +
          `What this means, and how to fix it: ${TROUBLESHOOTING}#an-input-is-refused\n`
      )
      const action = await runAction({
        inputs: { tool: 'mytool', token: TOKEN, 'api-url': url, 'dry-run': 'true', 'deploy-id': id }
      })
      expect(action.annotations.map((a) => a.message)).toEqual([
        "Input 'deploy-id' is set, but 'dry-run' is true, which follows no deployment; accepted: a dry run without deploy-id, or deploy-id without dry-run."
      ])
      expect(sim.requests).toEqual([])
    })
  )

  test.concurrent(
    'a cancel while the creation is under way says a deployment may have started (action and command)',
    async () => {
      for (const front of ['action', 'command'] as const) {
        // Toolforge creates the deployment on receipt, and answers 5 s later; the cancel comes in between.
        const { sim, url, seen, close } = await watchedSimulator(/^POST .* processed \(200\)/)
        try {
          sim.addFaults('POST', { kind: 'late-answer', ms: 5_000 })
          if (front === 'action') {
            const run = await runAction({ inputs: toolInputs(url), signal: { name: 'SIGINT', when: seen } })
            expect([run.code, run.outputs.outcome, run.outputs.deploy_id]).toEqual([1, 'unknown-creation', ''])
            expect(run.summary).toContain('Not known whether a deployment was started')
            expect(run.summary).toContain('Toolforge may have started a deployment all the same')
            expect(run.summary).not.toContain('before a deployment was created')
            expect(run.summary).toContain('toolforge components deployment list')
          } else {
            const cli = await runCli(['--tool', 'mytool', '--api-url', url, '--json'], {
              env: TOKEN_ENV,
              signal: { name: 'SIGTERM', when: seen }
            })
            const json = JSON.parse(cli.stdout) as { outcome: string; deployment: unknown; exitCode: number }
            expect([cli.code, json.exitCode, json.outcome, json.deployment]).toEqual([4, 4, 'unknown-creation', null])
            expect(cli.stderr.replace(/\s+/g, ' ')).toContain('Toolforge may have started a deployment all the same')
          }
          // It did: the user who re-ran on "nothing was created" would have made a second one.
          expect(sim.api.deploymentsOf('mytool')).toHaveLength(1)
        } finally {
          await close()
        }
      }
    }
  )

  test.concurrent(
    'not waiting, a deploy-id whose read fails is read again within timeout; none in time is a failure',
    withSimulator('single', async ({ sim, url }) => {
      const created = await runCli(['--tool', 'mytool', '--api-url', url, '--no-wait', '--json'], { env: TOKEN_ENV })
      const id = (JSON.parse(created.stdout) as { deploy_id: string }).deploy_id
      sim.addFaults('GET', { kind: 'gateway', status: 502 }, { kind: 'gateway', status: 502 })
      const healed = await runAction({ inputs: toolInputs(url, { wait: 'false', 'deploy-id': id }) })
      expect([healed.code, healed.outputs.outcome, healed.outputs.deploy_id]).toEqual([0, 'started', id])
      expect(healed.outputs.status).not.toBe('')
      sim.addFaults('GET', ...Array.from({ length: 40 }, () => ({ kind: 'gateway' as const, status: 502 as const })))
      const down = await runAction({ inputs: toolInputs(url, { wait: 'false', 'deploy-id': id, timeout: '4' }) })
      expect([down.code, down.outputs.outcome, down.outputs.status]).toEqual([1, 'unreachable', ''])
      expect(down.outputs.reason).toMatch(
        new RegExp(
          `^following deployment ${id} failed: no read of deployment ${id} succeeded within this run's timeout \\(\\d+ failed; the last: `
        )
      )
      expect(down.summary).not.toContain('deployment started')
    })
  )

  test.concurrent('a cancel during the serving check leaves the check interrupted, not failed', async () => {
    const web = await startWebServer(() => ({ status: 503 }))
    try {
      await withQuickTool(async ({ url }) => {
        const run = await runAction({
          inputs: toolInputs(url, { check: 'auto', 'check-timeout': '1m' }),
          env: { TOOLFORGE_TOOL_URL: web.toolUrl },
          signal: { name: 'SIGINT', when: / answered 503; asking again/ }
        })
        expect([run.code, run.outputs.outcome, run.outputs.check, run.outputs.status]).toEqual([
          1,
          'interrupted',
          'interrupted',
          'successful'
        ])
        expect(run.summary).toContain('Interrupted during the serving check')
        expect(run.summary).toContain('was still being checked when the run was interrupted (503)')
        expect(run.summary).not.toMatch(/did not answer|not serving/)
      })()
    } finally {
      await web.close()
    }
  })

  test.concurrent(
    'a deployment gone while followed is told as gone, not as a refused creation',
    withQuickTool(async ({ sim, url }) => {
      sim.api.setScenario('mytool', {
        components: [{ name: 'web', build: { kind: 'source', queueMs: 500, buildMs: 8_000 } }]
      })
      const run = await runAction({
        inputs: toolInputs(url),
        onStdout: (stdout) => {
          const id = /Created deployment (\S+)/.exec(stdout)?.[1]
          if (id && sim.api.deploymentsOf('mytool').length === 1) sim.api.remove('mytool', id)
        }
      })
      const id = run.outputs.deploy_id!
      expect([run.code, run.outputs.outcome]).toEqual([1, 'vanished'])
      expect(run.summary).toContain('The deployment is no longer on Toolforge: mytool')
      expect(run.outputs.reason).toContain(
        `deployment ${id}, which this run created, can no longer be found on Toolforge (HTTP 404)`
      )
      expect(run.outputs.reason).toContain('Toolforge keeps only the last 25 deployments of a tool')
      expect(run.summary).not.toMatch(/found nothing to deploy|refused the deployment/)
    })
  )

  test.concurrent(
    'an outage of the API while following is followed through, told once, and measured in the summary',
    withQuickTool(async ({ sim, url }) => {
      sim.api.setScenario('mytool', {
        components: [{ name: 'web', build: { kind: 'source', queueMs: 500, buildMs: 3_000 } }]
      })
      // The creation's answer, then four status reads in a row answered by the gateway.
      const failures = 4
      sim.addFaults(
        'GET',
        ...Array.from({ length: failures }, () => ({ kind: 'gateway' as const, status: 502 as const }))
      )
      const run = await runAction({ inputs: toolInputs(url, { timeout: '2m' }), killAfterMs: 90_000 })
      expect([run.code, run.outputs.outcome]).toEqual([0, 'successful'])
      const lines = run.stdout.split('\n')
      expect(lines.filter((line) => /status check failed/.test(line))).toHaveLength(1)
      expect(
        lines.filter((line) => /Toolforge answers again, after \S+ of failed status checks \(4\)/.test(line))
      ).toHaveLength(1)
      expect(run.summary).toMatch(
        /API outages[^\n]*one outage, \S+ in all \(4 failed status reads; the last: HTTP 502\)/
      )
    }),
    100_000
  )

  test.concurrent(
    'a redirect is an answer, titled as one; a second signal at once still leaves the summary and outputs',
    withQuickTool(async ({ sim, url }) => {
      sim.addFaults('POST', { kind: 'redirect' })
      const redirected = await runAction({ inputs: toolInputs(url) })
      expect(redirected.outputs.outcome).toBe('refused')
      expect(redirected.summary).toContain('The API address answered with a redirect: mytool')
      expect(redirected.summary).not.toContain('could not be reached')
      sim.api.setScenario('mytool', {
        components: [{ name: 'web', build: { kind: 'source', queueMs: 500, buildMs: 20_000 } }]
      })
      const twice = await runAction({
        inputs: toolInputs(url),
        signal: { name: 'SIGINT', when: 'Created deployment', againAfterMs: 3 }
      })
      expect([twice.signal, twice.code, twice.outputs.outcome]).toEqual([null, 1, 'interrupted'])
      expect(twice.summary).toContain('Interrupted while following the deployment')
    })
  )
})
