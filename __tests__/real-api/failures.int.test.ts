import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import type { ServiceFault } from '../../dev/real-api/stand-ins.js'
import { tokenRequests, toolName, useRealApi, WEB } from '../helpers/real-api.js'

/**
 * Whose failure it was, and retries of Toolforge's own only: upstream's server code
 * (its deploy task and runtime, which turn a service's error into the texts read here)
 * behind the project's stand-ins, whose services go wrong on demand.
 */
const realApi = useRealApi('stand-ins')

/** A tool whose builds take a second, with these faults of Toolforge's services. */
async function seeded(label: string, faults: Array<Omit<ServiceFault, 'tool'>>, ref = 'main') {
  const tool = toolName(label)
  const token = await realApi().seedTool(tool, { web: { ...WEB, ref } })
  await realApi().setToolTimings(tool, { build_pending_s: 0, build_running_s: 1 })
  if (faults.length > 0) await realApi().configure({ faults: faults.map((fault) => ({ ...fault, tool })) })
  return { tool, token }
}

const creations = (tool: string) => tokenRequests(realApi(), tool).filter((r) => r.method === 'POST')
const inputs = (tool: string, token: string, extra: Record<string, string> = {}) => ({
  tool,
  token,
  'api-url': realApi().apiUrl,
  ...extra
})

describe("Toolforge's own failures, against the real Components API behind the project's stand-ins", () => {
  test.concurrent(
    'a build Toolforge lost is its failure: failure toolforge, one deployment, not retried by default',
    async () => {
      const { tool, token } = await seeded('lost', [{ call: 'build-status', answer: 'lost' }])
      const run = await runAction({ inputs: inputs(tool, token) })
      expect([run.code, run.outputs.outcome, run.outputs.failure, run.outputs.attempts]).toEqual([
        1,
        'failed',
        'toolforge',
        '1'
      ])
      expect(JSON.parse(run.outputs.deployment!)).toMatchObject({
        builds: {
          web: {
            build_status: 'failed',
            build_long_status: expect.stringMatching(/not found, maybe it was deleted\?$/)
          }
        }
      })
      expect(run.outputs.reason).toContain("failed for Toolforge's own reason, not the tool's")
      expect(run.summary).toContain("tell Toolforge's admins")
      expect(creations(tool)).toHaveLength(1)
    }
  )

  test.concurrent("a build of the tool's that fails is never retried: failure tool, one deployment", async () => {
    const { tool, token } = await seeded('broken', [], 'broken')
    const run = await runAction({ inputs: inputs(tool, token, { retries: '2' }) })
    expect([run.code, run.outputs.failure, run.outputs.attempts]).toEqual([1, 'tool', '1'])
    expect(creations(tool)).toHaveLength(1)
  })

  test.concurrent("Toolforge's failure, then success: retries 1 deploys again and ends green", async () => {
    const { tool, token } = await seeded('heals', [{ call: 'job', answer: 500 }])
    const run = await runAction({ inputs: inputs(tool, token, { retries: '1' }) })
    expect([run.code, run.outputs.outcome, run.outputs.failure, run.outputs.attempts]).toEqual([
      0,
      'successful',
      '',
      '2'
    ])
    const posts = creations(tool)
    expect(posts).toHaveLength(2)
    const first = /Deployment (\S+) failed for Toolforge's own reason/.exec(run.stdout)?.[1]
    expect(first).toMatch(/^\d{8}-\d{6}-[a-z0-9]{10}$/)
    expect(first).not.toBe(run.outputs.deploy_id)
    expect(run.summary).toMatch(
      new RegExp(`Attempt 1 \\| ${first} failed: Got exception: Failed run for component web: 500 Server Error`)
    )
  })

  test.concurrent(
    'Toolforge failing every time: retries 2 makes three deployments, then failure toolforge (the command too)',
    async () => {
      const { tool, token } = await seeded('down', [{ call: 'job', answer: 500, times: 3 }])
      const run = await runCli(
        ['--tool', tool, '--api-url', realApi().apiUrl, '--retries', '2', '--check', 'off', '--json'],
        { env: { TOOLFORGE_DEPLOY_TOKEN: token }, killAfterMs: 120_000 }
      )
      const json = JSON.parse(run.stdout) as {
        failure: string
        attempts: string
        attempts_detail: unknown[]
        exitCode: number
      }
      expect([run.code, json.failure, json.attempts, json.attempts_detail.length]).toEqual([1, 'toolforge', '3', 2])
      expect(creations(tool)).toHaveLength(3)
    },
    150_000
  )
})
