import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { ToolforgeSimulator } from '../../dev/simulator/server.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'

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
        'toolforge-deploy: --deploy-id is set, but --dry-run is true, which follows no deployment; accepted: a dry run without deploy-id, or deploy-id without dry-run.\n'
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
})
