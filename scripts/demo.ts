/**
 * `npm run demo`: the simulator and the bundled action, as a runner would run it, for a
 * successful and a failing deployment. Shows the log, the outputs and the job summary
 * (printed to the log, as on any machine without GITHUB_STEP_SUMMARY).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ToolforgeSimulator } from '../simulator/server.js'

const BUNDLE = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const TOKEN = 'demo-token-0000'
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

/** The log as the runner would show it: commands turned into what they display. */
function show(line: string): string | undefined {
  if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) return undefined
  const annotation = /^::(error|warning|notice)(?: title=([^:]*))?::(.*)$/.exec(line)
  if (!annotation) return line
  const decode = (text: string) => text.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0A/g, '\n').replace(/%0D/g, '').replace(/%25/g, '%')
  const [, kind, title, message] = annotation
  return `${kind!.toUpperCase()}${title ? ` [${decode(title)}]` : ''}: ${decode(message!)}`
}

async function runOnce(url: string, tool: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-demo-'))
  const outputFile = join(dir, 'output')
  writeFileSync(outputFile, '')
  console.log(bold(`\n━━ uses: toolforge/deploy-action@v1   with: tool: ${tool}, api-url: ${url}\n`))
  const child = spawn(process.execPath, [BUNDLE], {
    env: {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_REPOSITORY: `example/${tool}`,
      GITHUB_SHA: '4e1c0de5a7d0c0ffee0ddba11deadbeef0000000',
      GITHUB_REF_NAME: 'main',
      GITHUB_ACTOR: 'demo-user',
      GITHUB_RUN_ID: '1',
      INPUT_TOOL: tool,
      INPUT_TOKEN: TOKEN,
      'INPUT_API-URL': url
    },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      const shown = show(line)
      if (shown !== undefined) console.log(`  ${shown}`)
    }
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  console.log(bold(`\n  exit code ${code}; outputs:`))
  for (const match of readFileSync(outputFile, 'utf8').matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) {
    const value = match[3]!
    console.log(`    ${match[1]} = ${value.length > 100 ? `${value.slice(0, 100)}…` : value}`)
  }
  rmSync(dir, { recursive: true, force: true })
}

const sim = new ToolforgeSimulator({ token: TOKEN, scenario: 'success', timeScale: 2 })
sim.api.setScenario('demo-broken', 'build-failure')
const url = await sim.listen(0)
console.log(bold('Toolforge Components API simulator on ') + url)
await runOnce(url, 'demo')
await runOnce(url, 'demo-broken')
await sim.close()
