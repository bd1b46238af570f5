/**
 * Records the command in a real terminal: tmux, 80 columns by 30 rows, running
 * `toolforge-deploy` (the committed bundle) against the simulator on 127.0.0.1, and a
 * web service there for the serving check. Every second the screen is captured (wrapped
 * lines joined, so a line wider than the terminal shows as one); the screens that
 * changed go to docs/terminal-session.txt.
 *
 *   npm run record:terminal      (needs tmux: apt-get install tmux)
 */
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { webWorkerCron, workerBuildFails, type Timeline } from '../simulator/scenarios.js'
import { ToolforgeSimulator } from '../simulator/server.js'
import { ROOT } from '../support/project-root.js'
import { cannotRun, hasCommand } from '../support/prerequisites.js'

export const SESSION_FILE = join(ROOT, 'docs', 'terminal-session.txt')
export const COLUMNS = 80
const ROWS = 30
const TOKEN = '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8'
const DONE = '[exit '

const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', 'toolforge-deploy-recording', ...args], { encoding: 'utf8' })

const withoutLastLine = (screen: string) => screen.slice(0, Math.max(0, screen.lastIndexOf('\n')))

/** One run of `command` in a fresh terminal, `toolforge-deploy` on its PATH; the screens it showed, each once. */
async function record(command: string, env: Record<string, string>): Promise<Array<{ at: number; screen: string }>> {
  const bin = mkdtempSync(join(tmpdir(), 'record-bin-'))
  symlinkSync(join(ROOT, 'dist', 'cli.js'), join(bin, 'toolforge-deploy'))
  const variables = { ...env, PATH: `${bin}:${process.env.PATH ?? ''}`, PS1: '$ ', LANG: 'C.UTF-8' }
  const assignments = Object.entries(variables).map(([name, value]) => `${name}=${value}`)
  tmux('new-session', '-d', '-s', 'rec', '-x', String(COLUMNS), '-y', String(ROWS), 'env', ...assignments, 'sh')
  try {
    tmux('send-keys', '-t', 'rec', `${command}; echo "${DONE}$?]"`, 'Enter')
    const screens: Array<{ at: number; screen: string }> = []
    const started = Date.now()
    for (;;) {
      await sleep(1_000)
      const screen = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'rec').replace(/\s+$/, '')
      const at = Math.round((Date.now() - started) / 1_000)
      const last = screens.at(-1)
      // The live line moves every second; a screen where only it moved is kept every 5 s.
      const onlyLiveLine = last !== undefined && withoutLastLine(screen) === withoutLastLine(last.screen)
      if (screen !== last?.screen && (!onlyLiveLine || at - last.at >= 5)) screens.push({ at, screen })
      if (/^\[exit \d+\]$/m.test(screen) || Date.now() - started > 120_000) return screens
    }
  } finally {
    tmux('kill-server')
    rmSync(bin, { recursive: true, force: true })
  }
}

/** Builds of a dozen seconds at the real server's pace: long enough to watch, short enough to read. */
const SUCCEEDS = webWorkerCron(3_000, 12_000, 15_000)
const BUILD_FAILS = workerBuildFails(3_000, 12_000, 9_000)

async function session(scenario: Timeline): Promise<string> {
  const sim = new ToolforgeSimulator({ token: TOKEN, scenario })
  const api = await sim.listen(0)
  const web = createServer((_req, res) => res.writeHead(200).end('ok'))
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
  try {
    const site = `http://127.0.0.1:${(web.address() as AddressInfo).port}/`
    const screens = await record('toolforge-deploy --tool mytool', {
      TOOLFORGE_DEPLOY_TOKEN: TOKEN,
      TOOLFORGE_DEPLOY_API_URL: api,
      TOOLFORGE_TOOL_URL: site
    })
    // The ports change from run to run; the recording should not.
    const steady = (screen: string) =>
      screen.replaceAll(api, 'http://127.0.0.1:8080').replaceAll(site, 'http://127.0.0.1:8081/')
    return screens
      .map(({ at, screen }) => `──── ${at}s ${'─'.repeat(COLUMNS - 7 - String(at).length - 1)}\n${steady(screen)}\n`)
      .join('\n')
  } finally {
    await sim.close()
    web.close()
  }
}

async function main(): Promise<void> {
  if (!hasCommand('tmux', ['-V']))
    cannotRun('npm run record:terminal', 'tmux (apt-get install tmux, or brew install tmux)')
  const header = [
    `toolforge-deploy in a terminal of ${COLUMNS} columns (tmux), against the simulator`,
    'on 127.0.0.1; a screen for each second that changed more than the live line.',
    'Made by `npm run record:terminal`.',
    ''
  ]
  const parts = [
    header.join('\n'),
    '════ a deployment that succeeds ════\n',
    await session(SUCCEEDS),
    '════ a deployment whose build fails ════\n',
    await session(BUILD_FAILS)
  ]
  writeFileSync(SESSION_FILE, parts.join('\n'))
  console.log(`written: ${SESSION_FILE.slice(ROOT.length + 1)}`)
}

if (process.argv[1]?.endsWith('record-terminal.js')) await main()
