import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import type { Timeline } from '../../dev/simulator/scenarios.js'
import { toolInputs, withSimulator } from '../helpers/simulator.js'

/** One component, built in a second; `build` and `run` say how it goes wrong, if at all. */
const web = (build: { fails?: boolean; lost?: boolean } = {}, run: { serverError?: boolean } = {}): Timeline => ({
  components: [{ name: 'web', build: { kind: 'source', queueMs: 200, buildMs: 600, ...build }, run }]
})

describe("Toolforge's own failures and retries, on the simulator", () => {
  test.concurrent(
    'a build Toolforge lost, then a good deployment: retries 1 ends green, the first named in the summary',
    withSimulator('single', async ({ sim, url }) => {
      sim.api.setNextScenarios('mytool', web({ lost: true }), web())
      const run = await runAction({ inputs: toolInputs(url, { retries: '1' }) })
      expect([run.code, run.outputs.outcome, run.outputs.failure, run.outputs.attempts]).toEqual([
        0,
        'successful',
        '',
        '2'
      ])
      const [first, second] = sim.api.deploymentsOf('mytool').map((d) => d.deployId)
      expect(run.outputs.deploy_id).toBe(second)
      expect(run.summary).toContain(`| Attempt 1 | ${first} failed: Got exception: Some builds failed`)
      // The log and the timeline tell each deployment's story afresh: no failed build of the first in the second's.
      expect(run.stdout.match(/^\[\d+s\] pending$/gm)).toHaveLength(2)
      expect(run.summary).toContain('section web')
      expect(run.summary).not.toContain(':crit,')
      expect(run.annotations).toContainEqual(
        expect.objectContaining({ kind: 'notice', title: "Deploying again after Toolforge's own failure" })
      )
    })
  )

  test.concurrent(
    "a jobs service that errs is Toolforge's failure; a build of the tool's that fails is the tool's, never retried",
    withSimulator('single', async ({ sim, url }) => {
      sim.api.setNextScenarios('mytool', web({}, { serverError: true }))
      const down = await runAction({ inputs: toolInputs(url) })
      expect([down.code, down.outputs.failure, down.outputs.attempts]).toEqual([1, 'toolforge', '1'])
      expect(down.summary).toContain("tell Toolforge's admins")
      sim.api.setNextScenarios('mytool', web({ fails: true }), web())
      const broken = await runAction({ inputs: toolInputs(url, { retries: '2' }) })
      expect([broken.code, broken.outputs.failure, broken.outputs.attempts]).toEqual([1, 'tool', '1'])
      expect(sim.api.deploymentsOf('mytool')).toHaveLength(2)
    })
  )

  test.concurrent(
    'retries is checked like every input',
    withSimulator('single', async ({ sim, url }) => {
      const run = await runAction({ inputs: toolInputs(url, { retries: '9' }) })
      expect(run.annotations.map((a) => a.message)).toEqual([
        'Input \'retries\' is "9"; accepted: a whole number from 0 to 5.'
      ])
      expect(run.outputs.failure).toBe('input')
      expect(sim.requests).toEqual([])
    })
  )
})
