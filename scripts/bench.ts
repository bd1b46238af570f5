/**
 * `npm run bench` (`-- --virtual-only` for the table alone, without writing the file): how soon the action learns a deployment's final state, and at what
 * cost in status requests, against fixed-interval polling; plus start-up, bundle size
 * and memory. Long timelines run in virtual time through the same engine the bundle
 * uses; two of them also run the committed bundle in real time, to show the virtual
 * figures are real. Writes BENCHMARKS.md.
 */
import { spawn } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { deploy } from '../src/engine/deploy.js'
import { BUILDING_MAX_MS } from '../src/engine/poll-policy.js'
import { isFinal } from '../src/engine/status.js'
import type { Settings } from '../src/settings/settings.js'
import type { ToolforgeApi } from '../src/engine/toolforge-client.js'
import { SimulatedApi } from '../simulator/api.js'
import { finalAtMs, type ComponentPlan, type Timeline } from '../simulator/scenarios.js'
import { ToolforgeSimulator } from '../simulator/server.js'
import { inProcessApi } from './in-process-api.js'
import { BUNDLE, runAction } from './run-bundle.js'
import { VirtualClock } from './virtual-clock.js'

const TOKEN = 'bench-token'
const PHASES = 40
const PHASE_SPAN_MS = 10_000

const component = (name: string, buildEndMs: number, runMs: number, extra: Partial<ComponentPlan> = {}): ComponentPlan => ({
  name,
  buildStartMs: 800,
  buildEndMs,
  runMs,
  ...extra
})

/** Timelines measured; `runsPhaseMs` decides whether the tight lag targets apply. */
const TIMELINES: Array<{ name: string; timeline: Timeline; real?: boolean }> = [
  {
    name: '21 s, 3 components (builds done 15 s, runs 20 s, final 21.3 s)',
    timeline: { pendingMs: 500, finalizeMs: 1_300, components: [component('web', 9_000, 1_700), component('api', 12_000, 1_700), component('worker', 15_000, 1_600)] },
    real: true
  },
  {
    name: '1 min, 2 components (builds 40–52 s, runs 4 s)',
    timeline: { pendingMs: 500, finalizeMs: 400, components: [component('web', 40_000, 2_000), component('worker', 52_000, 2_000)] },
    real: true
  },
  {
    name: '5 min, 3 components (builds 2–4 min, runs 6 s)',
    timeline: { pendingMs: 1_000, finalizeMs: 500, components: [component('web', 125_000, 2_000), component('api', 190_000, 2_000), component('cron', 240_000, 2_000)] }
  },
  {
    name: 'build failure at 90 s, 2 components',
    timeline: { pendingMs: 1_000, finalizeMs: 1_500, components: [component('web', 60_000, 2_000), component('worker', 90_000, 2_000, { buildFails: true })] }
  },
  {
    name: '15 min, 4 components (builds 6–14.5 min, runs 10 s)',
    timeline: {
      pendingMs: 2_000,
      finalizeMs: 500,
      components: [component('web', 360_000, 2_500), component('api', 600_000, 2_500), component('worker', 780_000, 2_500), component('cron', 870_000, 2_500)]
    }
  }
]

function shifted(timeline: Timeline, by: number): Timeline {
  return {
    ...timeline,
    pendingMs: timeline.pendingMs + by,
    components: timeline.components.map((c) => ({ ...c, buildStartMs: c.buildStartMs + by, buildEndMs: c.buildEndMs + by }))
  }
}

function runsPhaseMs(timeline: Timeline): number {
  if (timeline.components.some((c) => c.buildFails)) return 0
  return timeline.components.reduce((sum, c) => sum + c.runMs, 0) + timeline.finalizeMs
}

interface Sample {
  lagMs: number
  requests: number
  durationMs: number
}

const settings: Settings = {
  tool: 'bench',
  token: TOKEN,
  apiUrl: 'http://127.0.0.1',
  forceBuild: false,
  forceRun: false,
  description: 'bench',
  wait: true,
  timeoutMs: 6 * 3_600_000,
  pollIntervalMs: 10_000,
  deployId: undefined,
  onConflict: 'wait'
}

function virtualWorld(timeline: Timeline) {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
  const sim = new SimulatedApi({ token: TOKEN, scenario: timeline, now: clock.now })
  return { clock, sim, api: inProcessApi(sim, 'bench', TOKEN) }
}

/** The action's engine, in virtual time. */
async function actionSample(timeline: Timeline): Promise<Sample> {
  const { clock, api } = virtualWorld(timeline)
  let requests = 0
  const created = clock.now()
  const outcome = await deploy(settings, {
    api: counted(api, () => (requests += 1)),
    clock,
    signal: new AbortController().signal,
    observer: { created: () => {}, polled: () => {}, retrying: () => {}, creationRetrying: () => {}, queued: () => {} }
  })
  if (outcome.end !== 'successful' && outcome.end !== 'failed') throw new Error(`bench run ended ${outcome.end}`)
  const finalAt = created + finalAtMs(timeline)
  return { lagMs: outcome.endedAt - finalAt, requests, durationMs: finalAtMs(timeline) }
}

function counted(api: ToolforgeApi, onGet: () => void): ToolforgeApi {
  return { ...api, getDeployment: (id, signal) => (onGet(), api.getDeployment(id, signal)) }
}

/** A fixed-interval poll (the shell loop people write), in virtual time. */
async function fixedSample(timeline: Timeline, intervalMs: number): Promise<Sample> {
  const { clock, api } = virtualWorld(timeline)
  const created = clock.now()
  const { deployment } = await api.createDeployment({ description: '', forceBuild: false, forceRun: false })
  let requests = 0
  for (;;) {
    await clock.sleep(intervalMs)
    requests += 1
    const { deployment: d } = await api.getDeployment(deployment.deploy_id)
    if (isFinal(d.status)) break
  }
  return { lagMs: clock.now() - (created + finalAtMs(timeline)), requests, durationMs: finalAtMs(timeline) }
}

interface Stats {
  meanLag: number
  medianLag: number
  maxLag: number
  meanRequests: number
}

function stats(samples: Sample[]): Stats {
  const lags = samples.map((s) => s.lagMs).sort((a, b) => a - b)
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length
  return {
    meanLag: mean(lags),
    medianLag: lags[Math.floor(lags.length / 2)]!,
    maxLag: lags.at(-1)!,
    meanRequests: mean(samples.map((s) => s.requests))
  }
}

// Golden-ratio steps spread the phases evenly modulo any polling interval.
const phases = Array.from({ length: PHASES }, (_, i) => ((i * 0.6180339887) % 1) * PHASE_SPAN_MS)
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function measure(timeline: Timeline, sample: (t: Timeline) => Promise<Sample>): Promise<Stats> {
  const samples: Sample[] = []
  for (const phase of phases) samples.push(await sample(shifted(timeline, phase)))
  return stats(samples)
}

/** The committed bundle in real time against the simulator over HTTP. */
async function realSample(timeline: Timeline): Promise<Sample> {
  const sim = new ToolforgeSimulator({ token: TOKEN, scenario: timeline })
  const url = await sim.listen(0)
  const run = await runAction({ inputs: { tool: 'bench', token: TOKEN, 'api-url': url }, killAfterMs: 600_000 })
  await sim.close()
  const [deployment] = sim.api.deploymentsOf('bench')
  const gets = sim.requests.filter((r) => r.method === 'GET')
  if (!deployment || run.code === null) throw new Error('real run failed')
  return { lagMs: gets.at(-1)!.at - deployment.finalAt, requests: gets.length, durationMs: finalAtMs(timeline) }
}

async function startup(): Promise<{ nodeMs: number; firstRequestMs: number; peakRssKb: number }> {
  const time = async (args: string[], env: NodeJS.ProcessEnv, until?: () => number | undefined) => {
    const started = performance.now()
    let stderr = ''
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    await new Promise((resolve) => child.on('close', resolve))
    return { ms: (until?.() ?? performance.now()) - started, stderr }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  const nodeTimes: number[] = []
  const firstRequest: number[] = []
  let peakRssKb = 0
  const sim = new ToolforgeSimulator({ token: TOKEN, scenario: 'single' })
  const url = await sim.listen(0)
  for (let i = 0; i < 15; i++) {
    nodeTimes.push((await time(['-e', '0'], {})).ms)
    let firstAt: number | undefined
    const before = sim.requests.length
    const started = performance.now()
    const watch = setInterval(() => {
      if (firstAt === undefined && sim.requests.length > before) firstAt = performance.now()
    }, 0)
    const { stderr } = await time(
      ['--import', "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS))", BUNDLE],
      { PATH: process.env.PATH, INPUT_TOOL: `startup${i}`, INPUT_TOKEN: TOKEN, 'INPUT_API-URL': url, INPUT_WAIT: 'false', GITHUB_OUTPUT: '/dev/null' }
    )
    clearInterval(watch)
    firstRequest.push((firstAt ?? performance.now()) - started)
    peakRssKb = Math.max(peakRssKb, Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0))
  }
  await sim.close()
  return { nodeMs: median(nodeTimes), firstRequestMs: median(firstRequest), peakRssKb }
}

async function main(): Promise<void> {
  const lines: string[] = []
  const out = (line = '') => {
    console.log(line)
    lines.push(line)
  }
  const started = Date.now()
  out('# Benchmarks')
  out()
  out(`Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${process.platform}/${process.arch}).`)
  out(`Detection lag is the time from the server's final state to the moment the client has it; each timeline runs ${PHASES} times, shifted by 0 to ${PHASE_SPAN_MS / 1000} s, in virtual time through the action's own engine (src/engine/deploy.ts) and the simulator's state machine. Requests are status checks (GET).`)
  out()
  out('| timeline | poller | mean lag | median lag | max lag | requests |')
  out('| --- | --- | --- | --- | --- | --- |')
  const verdicts: string[] = []
  const real: Array<{ name: string; timeline: Timeline }> = []
  for (const { name, timeline, real: alsoReal } of TIMELINES) {
    const action = await measure(timeline, actionSample)
    out(`| ${name} | **the action** | **${s(action.meanLag)}** | **${s(action.medianLag)}** | **${s(action.maxLag)}** | **${action.meanRequests.toFixed(1)}** |`)
    for (const interval of [1_000, 5_000, 10_000]) {
      const fixed = await measure(timeline, (t) => fixedSample(t, interval))
      out(`| | fixed ${interval / 1000} s | ${s(fixed.meanLag)} | ${s(fixed.medianLag)} | ${s(fixed.maxLag)} | ${fixed.meanRequests.toFixed(1)} |`)
    }
    const equalInterval = finalAtMs(timeline) / action.meanRequests
    const equal = await measure(timeline, (t) => fixedSample(t, equalInterval))
    out(`| | equal traffic: fixed ${s(equalInterval)} | ${s(equal.meanLag)} | ${s(equal.medianLag)} | ${s(equal.maxLag)} | ${equal.meanRequests.toFixed(1)} |`)
    const ratio = action.meanLag / equal.meanLag
    const tight = runsPhaseMs(timeline) >= 2_000
    verdicts.push(
      `- ${name}: mean lag ${(ratio * 100).toFixed(0)} % of the equal-traffic poll's (target ≤ 33 %: ${ratio <= 1 / 3 ? 'met' : 'NOT met'})` +
        (tight
          ? `; median ${s(action.medianLag)} (≤ 1.5 s: ${action.medianLag <= 1_500 ? 'met' : 'NOT met'}), max ${s(action.maxLag)} (≤ 3 s: ${action.maxLag <= 3_000 ? 'met' : 'NOT met'})`
          : `; no runs phase, so the tight lag targets do not apply. A failing build gives no sign before it ends: only the pace while builds run (at most ${s(BUILDING_MAX_MS)}) bounds the lag, max ${s(action.maxLag)} here`) +
        (name.startsWith('5 min') ? `; ${action.meanRequests.toFixed(0)} requests (≤ 80: ${action.meanRequests <= 80 ? 'met' : 'NOT met'})` : '')
    )
    if (alsoReal) real.push({ name, timeline })
  }
  out()
  out('## Targets')
  out()
  for (const verdict of verdicts) out(verdict)

  if (process.argv.includes('--virtual-only')) return
  out()
  out('## Virtual time against real time')
  out()
  out('The committed bundle (`node dist/index.js`) against the simulator over HTTP, in real time, three phases each, beside the virtual-time engine on the same phases.')
  out()
  out('| timeline | phase | real lag | virtual lag | real requests | virtual requests |')
  out('| --- | --- | --- | --- | --- | --- |')
  const realPhases = [0, 3_300, 6_700]
  const jobs = real.flatMap(({ name, timeline }) => realPhases.map((phase) => ({ name, phase, timeline: shifted(timeline, phase) })))
  const results = await Promise.all(jobs.map(async (job) => ({ job, real: await realSample(job.timeline), virtual: await actionSample(job.timeline) })))
  let worst = 0
  for (const { job, real: r, virtual: v } of results) {
    worst = Math.max(worst, Math.abs(r.lagMs - v.lagMs))
    out(`| ${job.name} | ${s(job.phase)} | ${s(r.lagMs)} | ${s(v.lagMs)} | ${r.requests} | ${v.requests} |`)
  }
  out()
  out(`Largest difference between real and virtual lag: ${s(worst)} (must be ≤ 0.50 s: ${worst <= 500 ? 'met' : 'NOT met'}).`)

  out()
  out('## Start-up, size, memory')
  out()
  const boot = await startup()
  const size = statSync(BUNDLE).size
  out(`- \`node -e 0\`: ${boot.nodeMs.toFixed(0)} ms; process start to the first request of the bundle: ${boot.firstRequestMs.toFixed(0)} ms, ${(boot.firstRequestMs - boot.nodeMs).toFixed(0)} ms more (target ≤ 60 ms: ${boot.firstRequestMs - boot.nodeMs <= 60 ? 'met' : 'NOT met'}); medians of 15.`)
  out(`- \`dist/index.js\`: ${(size / 1024).toFixed(0)} KiB (target < 600 KB: ${size < 600_000 ? 'met' : 'NOT met'}).`)
  out(`- Peak memory (max RSS) of the bundle creating a deployment: ${(boot.peakRssKb / 1024).toFixed(0)} MiB.`)
  out()
  out(`The whole benchmark took ${Math.round((Date.now() - started) / 1000)} s.`)
  writeFileSync(new URL('../../BENCHMARKS.md', import.meta.url), `${lines.join('\n')}\n`)
}

await main()
