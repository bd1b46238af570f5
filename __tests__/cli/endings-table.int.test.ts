import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { ROOT } from '../../dev/support/project-root.js'
import { runAction, type ActionRun } from '../../dev/support/run-bundle.js'
import { runCli, type CliRun } from '../../dev/support/run-cli.js'
import type { SignalPlan } from '../../dev/support/signal-plan.js'
import type { ToolforgeSimulator } from '../../dev/simulator/server.js'
import type { ScenarioName } from '../../dev/simulator/scenarios.js'
import { startSimulator, TOKEN } from '../helpers/simulator.js'
import { startWebServer } from '../helpers/web-server.js'

/**
 * docs/endings.md's table, row by row, against the committed bundles: each ending is brought about for real, on the
 * simulator, through the command and through the action, and what they say is checked against the row.
 */

interface Row {
  outcome: string
  exit: number
  status: string
  check: string
  failure: string
  title: string
}

function tableRows(): Row[] {
  const text = readFileSync(join(ROOT, 'docs', 'endings.md'), 'utf8')
  const table = /<!-- endings table: [^>]*-->\n([\s\S]*?)<!-- endings table: end -->/.exec(text)![1]!
  return table
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => {
      const [outcome, exit, status, check, failure, title] = line
        .split(' | ')
        .map((cell) => cell.replace(/^\| /, '').trim())
      return {
        outcome: outcome!.replace(/`/g, ''),
        exit: Number(exit),
        status: status!,
        check: check!,
        failure: failure!,
        title: title!
      }
    })
}

/** A table cell as a test of a value: backticked values are the accepted ones. */
function accepts(cell: string, value: string): boolean {
  const listed = [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1])
  if (listed.length > 0) return listed.includes(value)
  if (cell === 'none' || cell === 'empty') return value === ''
  if (cell === 'last seen') return value !== ''
  return true
}

const OTHER_COMMIT = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'
const gateways = (n: number) => Array.from({ length: n }, () => ({ kind: 'gateway' as const, status: 502 as const }))

interface Setup {
  scenario?: ScenarioName
  upstream?: 'next'
  /** The inputs, by name; the command gets them as flags. */
  inputs?: Record<string, string>
  token?: string | null
  /** Done to the simulator before the run; may return inputs found on the way (a deployment id). */
  before?: (sim: ToolforgeSimulator, url: string) => Promise<Record<string, string> | void>
  /** Watches the run's output: for acting while it runs. */
  watch?: (sim: ToolforgeSimulator) => (output: string) => void
  signal?: SignalPlan
  workspace?: string
  web?: number
}

function configWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'workspace-'))
  mkdirSync(join(dir, 'toolforge'))
  copyFileSync(
    join(ROOT, 'dev', 'fixtures', 'configs', 'valid-minimal.yaml'),
    join(dir, 'toolforge', 'components.yaml')
  )
  return dir
}

/** A deployment created and left, for the endings that follow one by its id. */
async function createdId(url: string): Promise<string> {
  const created = await runCli(['--tool', 'mytool', '--api-url', url, '--no-wait', '--json'], {
    env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
  })
  return (JSON.parse(created.stdout) as { deploy_id: string }).deploy_id
}

const removeOnceCreated = (sim: ToolforgeSimulator) => (output: string) => {
  const id = /Created deployment (\S+)/.exec(output)?.[1]
  if (id && sim.api.deploymentsOf('mytool').some((d) => d.deployId === id)) sim.api.remove('mytool', id)
}

const SETUPS: Record<string, Setup> = {
  successful: {},
  started: { inputs: { wait: 'false' } },
  'token-accepted': { inputs: { 'dry-run': 'true' } },
  'config-accepted': {
    inputs: { 'dry-run': 'true', 'config-file': 'toolforge/components.yaml' },
    token: null,
    workspace: 'config'
  },
  'not-serving': { inputs: { check: 'auto', 'check-timeout': '2s' }, web: 503 },
  'other-commit': { inputs: { 'expect-commit': OTHER_COMMIT } },
  failed: { scenario: 'build-failure' },
  'timed-out': { scenario: 'timed-out' },
  cancelled: { scenario: 'cancelled' },
  'stopped-waiting': { scenario: 'slow-builds', inputs: { timeout: '3' } },
  interrupted: { scenario: 'slow-builds', signal: { name: 'SIGTERM', when: 'Created deployment' } },
  queued: { scenario: 'queued', upstream: 'next', inputs: { 'on-conflict': 'fail' } },
  refused: { token: 'ffffffff-0000-4000-8000-000000000000' },
  unreachable: {
    inputs: { wait: 'false', timeout: '3' },
    async before(sim, url) {
      const id = await createdId(url)
      sim.addFaults('GET', ...gateways(30))
      return { 'deploy-id': id }
    }
  },
  'unknown-creation': {
    async before(sim) {
      sim.addFaults('POST', { kind: 'gateway', status: 502 })
    }
  },
  vanished: { scenario: 'slow-builds', watch: removeOnceCreated },
  'bad-input': { inputs: { timeout: '7h' } }
}

const BEFORE_ANY_REQUEST = ['bad-input', 'config-accepted']

/** The command's flags for the inputs. */
function flags(inputs: Record<string, string>): string[] {
  return Object.entries(inputs).flatMap(([name, value]) =>
    name === 'wait' && value === 'false' ? ['--no-wait'] : value === 'true' ? [`--${name}`] : [`--${name}`, value]
  )
}

interface Seen {
  exit: number | null
  outputs: Record<string, string>
  title: string
  dotenv: Record<string, string>
}

async function bringAbout(row: Row, front: 'action' | 'command'): Promise<Seen> {
  const setup = SETUPS[row.outcome]
  if (!setup) throw new Error(`no way to bring about ${row.outcome}: add one to SETUPS`)
  const { sim, url, close } = await startSimulator({
    scenario: setup.scenario ?? 'single',
    ...(setup.upstream ? { upstream: setup.upstream } : {})
  })
  const web = setup.web ? await startWebServer(() => ({ status: setup.web! })) : undefined
  try {
    const found = (await setup.before?.(sim, url)) ?? {}
    const inputs = { tool: 'mytool', 'api-url': url, ...setup.inputs, ...found }
    const workspace = setup.workspace ? configWorkspace() : undefined
    const token = setup.token === undefined ? TOKEN : setup.token
    const watch = setup.watch?.(sim)
    const env = web ? { TOOLFORGE_TOOL_URL: web.toolUrl } : undefined
    if (front === 'action') {
      const run: ActionRun = await runAction({
        inputs: { ...inputs, ...(token ? { token } : {}) },
        env: { ...env, ...(workspace ? { GITHUB_WORKSPACE: workspace } : {}) },
        ...(setup.signal ? { signal: { ...setup.signal, name: 'SIGINT' as const } } : {}),
        ...(watch ? { onStdout: watch } : {})
      })
      const title = /^## .*? (.+)$/m.exec(run.summary)?.[1] ?? ''
      return { exit: run.code, outputs: run.outputs, title, dotenv: {} }
    }
    const dotenvFile = join(mkdtempSync(join(tmpdir(), 'dotenv-')), 'deploy.env')
    // --verbose: the summary, with its title, after a success too.
    const run: CliRun = await runCli([...flags(inputs), '--json', '--verbose', '--dotenv', dotenvFile], {
      env: { ...(token ? { TOOLFORGE_DEPLOY_TOKEN: token } : {}), ...env },
      ...(workspace ? { cwd: workspace } : {}),
      ...(setup.signal ? { signal: setup.signal } : {}),
      ...(watch ? { onOutput: watch } : {})
    })
    const json = JSON.parse(run.stdout) as Record<string, unknown>
    const outputs = Object.fromEntries(
      Object.entries(json).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : []))
    )
    const title = /^[✔✖] (.+)$/m.exec(run.stderr)?.[1] ?? ''
    const dotenv = Object.fromEntries(
      readFileSync(dotenvFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    )
    return { exit: run.code, outputs, title, dotenv }
  } finally {
    await web?.close()
    await close()
  }
}

describe('docs/endings.md: every ending, as the table says', () => {
  const rows = tableRows()

  test('lists every ending the outcome output can name, once', () => {
    const named = rows.map((row) => row.outcome)
    expect(new Set(named).size).toBe(named.length)
    expect(named.sort()).toEqual(Object.keys(SETUPS).sort())
  })

  for (const front of ['command', 'action'] as const)
    test.concurrent.each(rows)(`${front}: $outcome`, async (row) => {
      const seen = await bringAbout(row, front)
      const expectedExit = front === 'command' ? row.exit : row.exit === 0 ? 0 : 1
      expect([seen.outputs.outcome, seen.exit]).toEqual([row.outcome, expectedExit])
      expect([seen.outputs.status, accepts(row.status, seen.outputs.status!)]).toEqual([seen.outputs.status, true])
      expect([seen.outputs.check, accepts(row.check, seen.outputs.check!)]).toEqual([seen.outputs.check, true])
      expect([seen.outputs.failure, accepts(row.failure, seen.outputs.failure!)]).toEqual([seen.outputs.failure, true])
      // Ending before any request, the command says so as compilers do, in a line or two without a title.
      if (front === 'action' || !BEFORE_ANY_REQUEST.includes(row.outcome))
        expect(seen.title).toMatch(new RegExp(`^${row.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(: mytool)?$`))
      expect(seen.outputs.reason === '').toBe(row.exit === 0)
      if (front === 'command') {
        expect(seen.dotenv.DEPLOY_OUTCOME).toBe(row.outcome)
        expect(seen.dotenv.DEPLOY_REASON === '').toBe(row.exit === 0)
      }
    })
})
