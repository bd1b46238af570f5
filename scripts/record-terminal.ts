/**
 * Records the command in a real terminal: tmux, 80 columns by 30 rows, running
 * `toolforge-deploy` (the committed bundle) against the simulator on 127.0.0.1, and a
 * web service there for the serving check. Every second the screen is captured (wrapped
 * lines joined, so a line wider than the terminal shows as one); the changed screens go
 * to docs/terminal-session.txt.
 *
 *   npm run record:terminal      (needs tmux: apt-get install tmux)
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ScenarioName } from '../simulator/scenarios.js'
import { ToolforgeSimulator } from '../simulator/server.js'
import { ROOT } from './project-root.js'
import { CLI } from './run-cli.js'

export const SESSION_FILE = join(ROOT, 'docs', 'terminal-session.txt')
export const COLUMNS = 80
const ROWS = 30
const TOKEN = 'recording-token'
const DONE = '[exit '

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', 'toolforge-deploy-recording', ...args], { encoding: 'utf8' })

/** One run of the command in a fresh terminal; the screens it showed, each once. */
async function record(command: string, env: Record<string, string>): Promise<Array<{ at: number; screen: string }>> {
  const exports = Object.entries(env).map(([name, value]) => `export ${name}='${value}';`)
  tmux('new-session', '-d', '-s', 'rec', '-x', String(COLUMNS), '-y', String(ROWS), 'sh')
  try {
    tmux('send-keys', '-t', 'rec', `clear; ${exports.join(' ')} ${command}; echo "${DONE}$?]"`, 'Enter')
    const screens: Array<{ at: number; screen: string }> = []
    const started = Date.now()
    for (;;) {
      await sleep(1_000)
      const screen = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'rec').replace(/\s+$/, '')
      if (screen !== screens.at(-1)?.screen) screens.push({ at: Math.round((Date.now() - started) / 1_000), screen })
      if (screen.includes(DONE) || Date.now() - started > 120_000) return screens
    }
  } finally {
    tmux('kill-server')
  }
}

async function session(scenario: ScenarioName): Promise<string> {
  const sim = new ToolforgeSimulator({ token: TOKEN, scenario, timeScale: 3 })
  const api = await sim.listen(0)
  const web = createServer((_req, res) => res.writeHead(200).end('ok'))
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
  try {
    const site = `http://127.0.0.1:${(web.address() as AddressInfo).port}/`
    const command = `node ${CLI} --tool mytool --api-url ${api}`
    const screens = await record(command, { TOOLFORGE_DEPLOY_TOKEN: TOKEN, TOOLFORGE_TOOL_URL: site, LANG: 'C.UTF-8' })
    const shown = command.replace(CLI, 'dist/cli.js').replace(api, 'http://127.0.0.1:PORT')
    return screens.map(({ at, screen }) => `──── ${at}s ${'─'.repeat(COLUMNS - 8 - String(at).length)}\n${screen.replaceAll(CLI, 'dist/cli.js').replaceAll(api, 'http://127.0.0.1:PORT').replace(/^.*clear; export .*$/m, `$ ${shown}`)}\n`).join('\n')
  } finally {
    await sim.close()
    web.close()
  }
}

async function main(): Promise<void> {
  const header = [
    `toolforge-deploy in a terminal of ${COLUMNS} columns (tmux), against the simulator on`,
    `127.0.0.1 at three times its pace; one screen for each second that changed something.`,
    'Made by `npm run record:terminal`.',
    ''
  ]
  const parts = [header.join('\n'), '════ a deployment that succeeds ════\n', await session('success'), '════ a deployment whose build fails ════\n', await session('build-failure')]
  writeFileSync(SESSION_FILE, parts.join('\n'))
  console.log(`written: ${SESSION_FILE.slice(ROOT.length + 1)}`)
}

if (process.argv[1]?.endsWith('record-terminal.js')) await main()
