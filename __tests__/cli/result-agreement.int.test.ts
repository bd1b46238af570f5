import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asDotenv } from '../helpers/dotenv.js'
import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import type { ScenarioName } from '../../dev/simulator/scenarios.js'
import { OUTPUTS } from '../../src/settings/input-table.js'
import { startSimulator, TOKEN, withSimulator } from '../helpers/simulator.js'

/** Fields that name this deployment or its times: equal in shape across two runs, not in value. */
const PER_RUN = new Set(['deploy_id', 'deployment', 'long_status', 'reason'])

describe('the bundles agree: the action’s outputs, the command’s --json and its dotenv file', () => {
  test.concurrent.each<[string, ScenarioName, Record<string, string>]>([
    ['a success', 'single', {}],
    ['a build failure', 'build-failure', {}],
    ['a timeout', 'slow-builds', { timeout: '2s' }],
    ['a refusal', 'single', { token: 'wr0ng-t0ken-0f8d2c4e-5b6a-4e1f' }],
    ['a bad input', 'single', { timeout: '45 minutes' }]
  ])('%s', (_name, scenario, inputs) =>
    // Each front end on a simulator of its own: a deployment of one never queues the other.
    withSimulator(scenario, async ({ url: actionUrl }) => {
      const token = inputs.token ?? TOKEN
      const rest = Object.fromEntries(Object.entries(inputs).filter(([name]) => name !== 'token'))
      const action = await runAction({ inputs: { tool: 'mytool', token, 'api-url': actionUrl, ...rest } })
      const { url, close } = await startSimulator({ scenario })
      try {
        const dotenvFile = join(mkdtempSync(join(tmpdir(), 'agree-')), 'deploy.env')
        const flags = Object.entries(rest).flatMap(([name, value]) => [`--${name}`, value])
        const cli = await runCli(['--tool', 'mytool', '--api-url', url, '--json', '--dotenv', dotenvFile, ...flags], {
          env: { TOOLFORGE_DEPLOY_TOKEN: token }
        })
        const json = JSON.parse(cli.stdout) as Record<string, unknown>
        const dotenv = Object.fromEntries(
          readFileSync(dotenvFile, 'utf8')
            .trimEnd()
            .split('\n')
            .map((line) => line.split(/=(.*)/s).slice(0, 2))
        )
        // The step fails exactly when the command exits non-zero.
        expect([action.code === 0, cli.code === 0]).toEqual([json.error === null, json.exitCode === 0])
        for (const output of OUTPUTS) {
          const given = action.outputs[output.name]
          const said = output.name === 'deployment' ? (json.deployment === null ? '' : 'set') : json[output.name]
          if (PER_RUN.has(output.name))
            expect([output.name, given === '', said === '']).toEqual([output.name, said === '', given === ''])
          else expect([output.name, given]).toEqual([output.name, said])
          if (output.dotenv)
            expect([output.dotenv, dotenv[output.dotenv]]).toEqual([output.dotenv, asDotenv(String(json[output.name]))])
        }
      } finally {
        await close()
      }
    })()
  )
})
