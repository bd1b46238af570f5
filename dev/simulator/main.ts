import { parseArgs } from 'node:util'
import { randomUUID } from 'node:crypto'
import { parseFault } from './faults.js'
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.js'
import { ToolforgeSimulator } from './server.js'

const USAGE = `Toolforge Components API simulator

  npm run simulator -- [--port 8080] [--scenario success] [--token TOKEN] [options]

  --port N              port on 127.0.0.1 (default 8080; 0 picks a free one)
  --scenario NAME       what every deployment does: ${SCENARIO_NAMES.join(', ')}
  --tool-scenario T=S   tool T follows scenario S instead (repeatable)
  --token TOKEN         the deploy token every tool accepts (default: a new random one, printed)
  --time-scale X        stretch (>1) or shrink (<1) the scenario's times (default 1)
  --seed N              seed for ids and chaos faults, to replay a run (default 1)
  --fault KIND          the next request meets this fault (repeatable): gateway:502,
                        retry-after:429:3, reset, reset-after-processing, hang,
                        slow-body:2000, late-answer:5000, invalid-json, redirect;
                        prefix POST: for creations
  --chaos RATE          a share (0..1) of status reads meets a random transient fault
  --upstream next       behave as upstream's next version: deployments queue behind one
                        another instead of a 409, creation times in ISO 8601
  --busy-for SECONDS    another deployment of every tool named in --tool-scenario, and of
                        "demo", is in progress for this long (409 meanwhile)
`

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      scenario: { type: 'string', default: 'success' },
      'tool-scenario': { type: 'string', multiple: true, default: [] },
      token: { type: 'string' },
      'time-scale': { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      fault: { type: 'string', multiple: true, default: [] },
      chaos: { type: 'string', default: '0' },
      'busy-for': { type: 'string' },
      upstream: { type: 'string', default: 'current' },
      help: { type: 'boolean', default: false }
    }
  })
  if (values.help) return void process.stdout.write(USAGE)
  const isScenario = (name: string): name is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(name)
  if (!isScenario(values.scenario))
    throw new Error(`unknown scenario "${values.scenario}"; known: ${SCENARIO_NAMES.join(', ')}`)
  if (values.upstream !== 'current' && values.upstream !== 'next')
    throw new Error(`--upstream takes current or next, got "${values.upstream}"`)
  const token = values.token ?? randomUUID()
  const sim = new ToolforgeSimulator({
    token,
    scenario: values.scenario,
    timeScale: Number(values['time-scale']),
    seed: Number(values.seed),
    upstream: values.upstream,
    log: (line) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`)
  })
  const tools = ['demo']
  for (const pair of values['tool-scenario']) {
    const [tool, name] = pair.split('=')
    if (!tool || !name || !isScenario(name)) throw new Error(`--tool-scenario takes TOOL=SCENARIO, got "${pair}"`)
    sim.api.setScenario(tool, name)
    tools.push(tool)
  }
  for (const spec of values.fault) {
    const post = spec.startsWith('POST:')
    sim.addFaults(post ? 'POST' : 'GET', parseFault(post ? spec.slice(5) : spec))
  }
  sim.chaos(Number(values.chaos))
  if (values['busy-for']) for (const tool of tools) sim.api.occupy(tool, Number(values['busy-for']) * 1000)
  void sim.listen(Number(values.port)).then((url) => {
    console.log(`Toolforge Components API simulator on ${url}/components/v1`)
    console.log(
      `  scenario: ${values.scenario}${values['tool-scenario'].length ? ` (per tool: ${values['tool-scenario'].join(', ')})` : ''}`
    )
    console.log(`  api-url:  ${url}`)
    console.log(
      `  tools:    ${url}/tools/<tool>/ (their web pages, where a serving check looks when TOOLFORGE_TOOL_URL is unset)`
    )
    console.log(`  token:    ${values.token ? '(the one given)' : token}`)
    console.log('  any tool name is accepted; Ctrl-C stops')
  })
  const stop = () => void sim.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

try {
  main()
} catch (error) {
  console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(2)
}
