/**
 * The seeded chaos run: many short deployments through the committed bundle, against
 * the simulator injecting transient faults into about a third of the status reads and
 * some creations. Each run must end with the right exit code and status, create exactly
 * the deployments it should, and show no form of its token anywhere.
 */
import { ToolforgeSimulator } from '../simulator/server.js'
import { seededRandom, randomChars } from '../simulator/random.js'
import type { ScenarioName } from '../simulator/scenarios.js'
import { findTokenLeaks } from '../support/leaks.js'
import { runAction } from '../support/run-bundle.js'

export interface ChaosOptions {
  seed: number
  count: number
  concurrency: number
  /** Share of status reads that meet a fault. */
  faultRate?: number
}

export interface ChaosReport {
  runs: number
  faultsInjected: number
  statusReads: number
  wrongOutcomes: string[]
  duplicateCreations: number
  tokenLeaks: number
  seconds: number
}

type Twist = 'none' | 'create-retry-after' | 'create-reset-after-processing' | 'wrong-token'

interface Plan {
  tool: string
  token: string
  scenario: ScenarioName
  twist: Twist
}

const SCENARIOS: ScenarioName[] = ['single', 'success', 'build-failure', 'run-failure', 'unknown-status']

function plan(seed: number, index: number): Plan {
  const random = seededRandom(seed * 1_000_003 + index)
  const scenario = SCENARIOS[Math.floor(random() * SCENARIOS.length)]!
  const r = random()
  const twist: Twist =
    r < 0.15 ? 'create-retry-after' : r < 0.2 ? 'create-reset-after-processing' : r < 0.25 ? 'wrong-token' : 'none'
  // Every kind of character a token may have.
  const token = `ch-${randomChars(random, 8)}.${randomChars(random, 4)}_~${randomChars(random, 6)}`
  return { tool: `chaos-${index}`, token, scenario, twist }
}

function expected(plan: Plan): { code: number; status: string; created: number; says?: string } {
  // No deployment read, no status: the output is set, and empty.
  if (plan.twist === 'wrong-token')
    return { code: 1, status: '', created: 0, says: 'Toolforge refused the deploy token (HTTP 401)' }
  if (plan.twist === 'create-reset-after-processing')
    return { code: 1, status: '', created: 1, says: 'a deployment may have been started' }
  const fails = plan.scenario === 'build-failure' || plan.scenario === 'run-failure'
  return { code: fails ? 1 : 0, status: fails ? 'failed' : 'successful', created: 1 }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now()
  // Faults are the point here, not the pace: the server's ticks run twice as fast.
  const sim = new ToolforgeSimulator({ token: 'unused-default', seed: options.seed, timeScale: 0.5 })
  sim.chaos(options.faultRate ?? 1 / 3)
  const url = await sim.listen(0)
  const report: ChaosReport = {
    runs: 0,
    faultsInjected: 0,
    statusReads: 0,
    wrongOutcomes: [],
    duplicateCreations: 0,
    tokenLeaks: 0,
    seconds: 0
  }

  async function one(index: number): Promise<void> {
    const p = plan(options.seed, index)
    sim.api.setScenario(p.tool, p.scenario)
    sim.api.setToolToken(p.tool, { kind: 'token', token: p.token })
    if (p.twist === 'create-retry-after')
      sim.addFaultsFor(p.tool, 'POST', { kind: 'retry-after', status: index % 2 ? 429 : 503, retryAfter: '1' })
    if (p.twist === 'create-reset-after-processing')
      sim.addFaultsFor(p.tool, 'POST', { kind: 'reset-after-processing' })
    const token = p.twist === 'wrong-token' ? `${p.token}x` : p.token
    const run = await runAction({ inputs: { tool: p.tool, token, 'api-url': url } })
    const want = expected(p)
    const created = sim.api.deploymentsOf(p.tool).length
    const problems: string[] = []
    if (run.code !== want.code) problems.push(`exit ${run.code}, expected ${want.code}`)
    if (run.outputs.status !== want.status) problems.push(`status ${run.outputs.status}, expected ${want.status}`)
    if (created !== want.created) problems.push(`${created} deployments created, expected ${want.created}`)
    if (want.says && !run.stdout.includes(want.says)) problems.push(`no "${want.says}" in the log`)
    if (problems.length > 0)
      report.wrongOutcomes.push(`run ${index} (${p.scenario}, ${p.twist}): ${problems.join('; ')}`)
    if (created > 1) report.duplicateCreations += created - 1
    report.tokenLeaks +=
      findTokenLeaks(run.everything, token).length +
      (token === p.token ? 0 : findTokenLeaks(run.everything, p.token).length)
    const requests = sim.requests.filter((r) => r.tool === p.tool)
    report.faultsInjected += requests.filter((r) => r.fault).length
    report.statusReads += requests.filter((r) => r.method === 'GET').length
    report.runs += 1
  }

  let next = 0
  const worker = async () => {
    while (next < options.count) await one(next++)
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker))
  await sim.close()
  report.seconds = Math.round((Date.now() - started) / 100) / 10
  return report
}

export function formatReport(options: ChaosOptions, report: ChaosReport): string {
  return [
    `chaos run: seed ${options.seed}, ${report.runs} deployments, ${options.concurrency} at a time, ${report.seconds}s`,
    `  faults injected:     ${report.faultsInjected} (on ${report.statusReads} status reads and the creations)`,
    `  wrong outcomes:      ${report.wrongOutcomes.length}`,
    `  duplicate creations: ${report.duplicateCreations}`,
    `  token leaks:         ${report.tokenLeaks}`,
    ...report.wrongOutcomes.map((line) => `  ✖ ${line}`)
  ].join('\n')
}
