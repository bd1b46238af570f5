/**
 * `npm run local-action [-- scenario]`: the action run from its TypeScript sources by
 * GitHub's local-action (src/action/main.ts's `run`), against the simulator and a web
 * server for the serving check, both on 127.0.0.1. For stepping through the action with a
 * debugger: `npm run local-action -- --inspect` waits for one (chrome://inspect, or an
 * editor's "attach"). local-action comes from its own lockfile in dev/demo/local-action,
 * installed here when missing.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { SCENARIO_NAMES, type ScenarioName } from '../simulator/scenarios.js'
import { ToolforgeSimulator } from '../simulator/server.js'
import { ROOT } from '../support/project-root.js'
import { actionNode } from '../support/runtimes.js'

const TOOLS = join(ROOT, 'dev', 'demo', 'local-action')
const TOKEN = '1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f'

// local-action and its dependencies want Node 22 or later: installed and run on the action's own Node 24, so that
// npm finds every engine satisfied.
const NODE = actionNode()
const NPM = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')
if (!existsSync(join(TOOLS, 'node_modules'))) {
  const installed = spawnSync(NODE, [NPM, 'ci', '--prefix', TOOLS, '--ignore-scripts', '--no-audit', '--no-fund'], {
    stdio: 'inherit'
  })
  if (installed.status !== 0) process.exit(installed.status ?? 1)
}

const args = process.argv.slice(2)
const inspect = args.includes('--inspect')
const scenario = (args.find((arg) => !arg.startsWith('--')) ?? 'success') as ScenarioName
if (!SCENARIO_NAMES.includes(scenario))
  throw new Error(`unknown scenario "${scenario}"; known: ${SCENARIO_NAMES.join(', ')}`)

const sim = new ToolforgeSimulator({ token: TOKEN, scenario })
const api = await sim.listen(0)
const web = createServer((_req, res) => res.writeHead(200).end('ok'))
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))

// What the runner would set: the inputs, and a repository for the default description.
const env = join(mkdtempSync(join(tmpdir(), 'local-action-')), '.env')
writeFileSync(
  env,
  [
    'INPUT_TOOL=mytool',
    `INPUT_TOKEN=${TOKEN}`,
    `INPUT_API-URL=${api}`,
    'INPUT_CHECK=auto',
    'GITHUB_REPOSITORY=toolforge-repos/mytool',
    `TOOLFORGE_TOOL_URL=http://127.0.0.1:${(web.address() as AddressInfo).port}/{tool}/`,
    ''
  ].join('\n')
)
console.log(`simulator (${scenario}) on ${api}; running src/action/main.ts with local-action`)

// What local-action's own launcher does, minus looking tsx up with `npm exec` (which finds
// it only in the project's dependencies): tsx runs local-action in the project's folder,
// where it finds the @actions/core to stand in for with `npm ls`.
const LOCAL_ACTION = join(TOOLS, 'node_modules', '@github', 'local-action')
const tsxArgs = [
  ...(inspect ? ['--inspect-brk'] : []),
  join(LOCAL_ACTION, 'src', 'index.ts'),
  'run',
  ROOT,
  'src/action/main.ts',
  env
]
const TSX = join(TOOLS, 'node_modules', 'tsx', 'dist', 'cli.mjs')
const child = spawn(NODE, [TSX, ...tsxArgs], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    TARGET_ACTION_PATH: ROOT,
    NODE_PACKAGE_MANAGER: 'npm',
    NODE_NO_WARNINGS: '1'
  }
})
const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
await sim.close()
web.close()
process.exit(code ?? 1)
