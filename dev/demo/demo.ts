/**
 * `npm run demo`: the simulator and the bundled action, as a runner would run it, for a
 * successful and a failing deployment, with the serving check asking a web server that
 * stands in for the tools' web services (on 127.0.0.1, like everything here). Shows the
 * log, the outputs and the job summary (printed to the log, as on any machine without
 * GITHUB_STEP_SUMMARY).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { runAction } from '../support/run-bundle.js'
import { ToolforgeSimulator } from '../simulator/server.js'

const TOKEN = '6d1f0c2a-9b8e-4d7c-a6f5-e4d3c2b1a090'
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

/** The log as the runner would show it: commands turned into what they display. */
function show(line: string): string | undefined {
  if (line.startsWith('::add-mask::') || line.startsWith('::debug::')) return undefined
  const annotation = /^::(error|warning|notice)(?: title=([^:]*))?::(.*)$/.exec(line)
  if (!annotation) return line
  const decode = (text: string) =>
    text.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0A/g, '\n').replace(/%0D/g, '').replace(/%25/g, '%')
  const [, kind, title, message] = annotation
  return `${kind!.toUpperCase()}${title ? ` [${decode(title)}]` : ''}: ${decode(message!)}`
}

async function runOnce(url: string, tool: string, toolUrl: string): Promise<void> {
  console.log(bold(`\n━━ uses: toolforge/deploy-action@v1   with: tool: ${tool}, api-url: ${url}\n`))
  let printed = 0
  const run = await runAction({
    inputs: { tool, token: TOKEN, 'api-url': url, check: 'auto' },
    env: {
      TOOLFORGE_TOOL_URL: toolUrl,
      GITHUB_REPOSITORY: `example/${tool}`,
      GITHUB_SHA: '4e1c0de5a7d0c0ffee0ddba11deadbeef0000000',
      GITHUB_REF_NAME: 'main',
      GITHUB_ACTOR: 'demo-user',
      GITHUB_RUN_ID: '1'
    },
    noSummaryFile: true,
    onStdout: (stdout) => {
      const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1)
      for (const line of complete.slice(printed).split('\n').slice(0, -1)) {
        const shown = show(line)
        if (shown !== undefined) console.log(`  ${shown}`)
      }
      printed = complete.length
    }
  })
  console.log(bold(`\n  exit code ${run.code}; outputs:`))
  for (const [name, value] of Object.entries(run.outputs)) {
    console.log(`    ${name} = ${value.length > 100 ? `${value.slice(0, 100)}…` : value}`)
  }
}

const sim = new ToolforgeSimulator({ token: TOKEN, scenario: 'success', timeScale: 2 })
sim.api.setScenario('demo-broken', 'build-failure')
const url = await sim.listen(0)
// The tools' web services, all serving.
const web = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'))
await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve))
const toolUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/{tool}/`
console.log(bold('Toolforge Components API simulator on ') + url + bold(', the tools on ') + toolUrl)
await runOnce(url, 'demo', toolUrl)
await runOnce(url, 'demo-broken', toolUrl)
await sim.close()
web.close()
