import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { ROOT } from '../../dev/support/project-root.js'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { startSimulator, TOKEN, type Started } from '../helpers/simulator.js'
import { TROUBLESHOOTING } from '../../src/report/troubleshooting.js'

const CONFIG = 'toolforge/components.yaml'

/** A workspace holding one of the corpus' configs at toolforge/components.yaml. */
function workspace(corpusFile: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'))
  mkdirSync(join(dir, 'toolforge'))
  copyFileSync(join(ROOT, 'dev', 'fixtures', 'configs', corpusFile), join(dir, CONFIG))
  return dir
}

let started: Started
beforeAll(async () => {
  started = await startSimulator({ scenario: 'single', timeScale: 0.05 })
})
afterAll(() => started.close())

describe('config-file, in the action', () => {
  test('a config Toolforge would refuse: an error at each line, listed in the summary, and nothing sent', async () => {
    const run = await runAction({
      inputs: { tool: 'mytool', token: TOKEN, 'api-url': started.url, 'config-file': CONFIG },
      env: { GITHUB_WORKSPACE: workspace('invalid-reuse-chain.yaml') }
    })
    expect(run.code).toBe(1)
    expect(run.annotations).toEqual([
      {
        kind: 'error',
        title: 'Components config',
        file: CONFIG,
        line: 15,
        column: 7,
        message:
          'components.cleanup.build.reuse_from: names worker, which reuses a build itself: name the component that builds from source'
      },
      {
        kind: 'error',
        title: undefined,
        message: `${CONFIG}: Toolforge would refuse this components config (a problem, told at its line); nothing was sent`
      }
    ])
    expect(run.summary).toContain('Not deployed: Toolforge would refuse the components config')
    expect(run.summary).toContain(`${CONFIG}:15: \`components.cleanup.build.reuse_from: names worker`)
    expect(run.outputs).toMatchObject({ outcome: 'bad-input', deploy_id: '', status: '', check: 'skipped' })
    expect(started.sim.requests).toHaveLength(0)
  })

  test('keys Toolforge would skip are warnings at their lines; the deployment then goes ahead', async () => {
    const run = await runAction({
      inputs: { tool: 'mytool', token: TOKEN, 'api-url': started.url, 'config-file': CONFIG, check: 'off' },
      env: { GITHUB_WORKSPACE: workspace('valid-unknown-keys.yaml') }
    })
    expect(run.code).toBe(0)
    expect(run.annotations.filter((a) => a.title === 'Components config')).toEqual([
      {
        kind: 'warning',
        title: 'Components config',
        file: CONFIG,
        line: 9,
        column: 7,
        message: 'components.web.run.replica: unknown key replica: Toolforge skips it'
      }
    ])
    expect(run.stdout).toContain(
      `${CONFIG}: Toolforge would accept this components config (the rules of config v1beta1, upstream dac7467).`
    )
    expect(run.outputs.status).toBe('successful')
  })

  test('with dry-run and no token, the config is all it checks: a green step, and no request', async () => {
    const before = started.sim.requests.length
    const run = await runAction({
      inputs: { tool: 'mytool', token: '', 'api-url': started.url, 'config-file': CONFIG, 'dry-run': 'true' },
      env: { GITHUB_WORKSPACE: workspace('valid-web-worker-cron.yaml') }
    })
    expect(run.code).toBe(0)
    expect(run.annotations).toEqual([])
    expect(run.stdout).toContain('No deploy token given: the token was not checked, and nothing was sent to Toolforge.')
    expect(run.summary).toContain('Components config accepted, nothing deployed')
    expect(run.summary).toContain(`${CONFIG}: Toolforge would accept it`)
    expect(run.summary).toContain('not checked: none given')
    expect(started.sim.requests.length).toBe(before)
  })

  test('without config-file, an empty token is still refused; a file not in the workspace is a bad input', async () => {
    const noToken = await runAction({
      inputs: { tool: 'mytool', token: '', 'api-url': started.url, 'dry-run': 'true' }
    })
    expect(noToken.annotations[0]!.message).toMatch(/^Input 'token' is empty/)
    const dir = workspace('valid-minimal.yaml')
    const missing = await runAction({
      inputs: { tool: 'mytool', token: TOKEN, 'api-url': started.url, 'config-file': 'components.yaml' },
      env: { GITHUB_WORKSPACE: dir }
    })
    expect(missing.code).toBe(1)
    expect(missing.annotations.map((a) => a.message)).toEqual([
      `Input 'config-file': components.yaml does not exist in the workspace (${dir}); accepted: the path of a components config (YAML or JSON) in the workspace.`
    ])
  })
})

describe('--config-file, in the command', () => {
  test('problems as compilers print them, exit 2, and nothing sent', async () => {
    const before = started.sim.requests.length
    const run = await runCli(['--tool', 'mytool', '--api-url', started.url, '--config-file', CONFIG], {
      env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN },
      cwd: workspace('invalid-missing-command.yaml')
    })
    expect(run.code).toBe(2)
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      `${CONFIG}:6:5: error: components.web.run: missing command`,
      `toolforge-deploy: ${CONFIG}: Toolforge would refuse this components config (a problem, told at its line); nothing was sent`,
      `What this means, and how to fix it: ${TROUBLESHOOTING}#the-components-config-would-be-refused`
    ])
    expect(started.sim.requests.length).toBe(before)
  })

  test('with --dry-run and no token, a config it would accept exits 0', async () => {
    const run = await runCli(
      ['--tool', 'mytool', '--api-url', started.url, '--dry-run', '--config-file', CONFIG, '--json'],
      { cwd: workspace('valid-config.json') }
    )
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: 'config-accepted', exitCode: 0 })
  })
})
