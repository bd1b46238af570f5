/**
 * `npm run bench`: how soon the action learns a deployment's final state, and at what cost
 * in status requests, against the fixed polls people write; plus start-up, bundle size
 * and memory. Writes BENCHMARKS.md.
 *
 * 1. Synthetic timelines on the simulator's state machine (which follows the real
 *    server's task, ticks included), in virtual time through the action's own engine.
 * 2. The real server's recorded state traces (dev/bench/traces/, `npm run bench:record`),
 *    replayed in virtual time the same way.
 * 3. The committed bundle in real time against the real Components API, with an
 *    independent 50 ms observer (`-- --virtual-only` leaves this out; `-- --quick` runs
 *    fewer deployments).
 */
import { spawn } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Clock } from '../../src/engine/clock.js'
import { deploy } from '../../src/engine/deploy.js'
import { BUILDING_MAX_MS, SWEEP_STEP_MS } from '../../src/engine/poll-policy.js'
import { aBuildUnderWay, isFinal, phaseOf } from '../../src/engine/status.js'
import type { ToolforgeApi } from '../../src/engine/toolforge-client.js'
import type { Settings } from '../../src/settings/settings.js'
import { settingsFixture } from '../fixtures/settings.js'
import { SimulatedApi } from '../simulator/api.js'
import type { ComponentPlan, Timeline } from '../simulator/scenarios.js'
import { ToolforgeSimulator } from '../simulator/server.js'
import { inProcessApi } from '../support/in-process-api.js'
import { ROOT } from '../support/project-root.js'
import { realApiFor, type RealApiLocation } from '../support/prerequisites.js'
import { startRealApi, type RealApi } from '../real-api/real-api.js'
import { measure as measureReal, readAgain, type RealCase, type RealSample } from './real-timing.js'
import { BUNDLE } from '../support/run-bundle.js'
import { loadTraces, traceApi, traceFinalMs, type Trace } from './traces.js'
import { VirtualClock } from '../support/virtual-clock.js'

const TOKEN = 'b3e4c5d6-7a8b-4c9d-8e0f-1a2b3c4d5e6f'
const PHASES = 40
const quick = process.argv.includes('--quick')

const source = (name: string, buildMs: number, queueMs = 1_000, fails = false): ComponentPlan => ({
  name,
  build: { kind: 'source', queueMs, buildMs, fails }
})

/**
 * Production's pace, which cannot be measured from here: every call of the deployment task
 * to the build and jobs services delayed (the stand-in services' `latency_ms` and
 * `latency_jitter_ms`), so that a pass over two builds takes 2 s plus twice that.
 */
const PACES = [
  { label: '150 ms', latency: { ms: 150, jitterMs: 0 } },
  { label: '300 ± 100 ms', latency: { ms: 300, jitterMs: 100 } }
]
const passLabel = (latencyMs: number) => `≈ ${((2_000 + 2 * latencyMs) / 1000).toFixed(1)} s`

/**
 * Synthetic timelines; each runs PHASES times with its builds lengthened by 0 to `spreadMs`.
 * `floor`: also measure the blind floor (floorSample).
 */
const TIMELINES: Array<{ name: string; timeline: Timeline; spreadMs: number; floor?: boolean }> = [
  {
    name: '2 components, builds of 20 s',
    timeline: { components: [source('web', 20_000), source('worker', 20_000)] },
    spreadMs: 4_500,
    floor: true
  },
  {
    name: '2 components, builds of 60 s',
    timeline: { components: [source('web', 60_000), source('worker', 60_000)] },
    spreadMs: 4_500
  },
  {
    name: '2 components waiting 90 s for a build slot, then 20 s builds',
    timeline: { components: [source('web', 20_000, 90_000), source('worker', 20_000, 90_000)] },
    spreadMs: 4_500
  },
  {
    name: '3 components, builds of 2–4 min, slow runs (2 s each)',
    timeline: {
      components: [source('web', 120_000), source('api', 180_000), source('cron', 240_000)].map((c) => ({
        ...c,
        run: { ms: 2_000 }
      }))
    },
    spreadMs: 10_000
  },
  {
    name: 'a build failing after 90 s beside a 60 s one',
    timeline: { components: [source('web', 60_000), source('worker', 90_000, 1_000, true)] },
    spreadMs: 4_500
  },
  ...PACES.map(({ label, latency }) => ({
    name: `2 components, builds of 20 s, build and jobs calls of ${label} (passes of ${passLabel(latency.ms)})`,
    timeline: { components: [source('web', 20_000), source('worker', 20_000)], serviceLatency: latency },
    spreadMs: 4_500,
    floor: true
  }))
]

const settings: Settings = settingsFixture({
  tool: 'bench',
  token: TOKEN,
  apiUrl: 'http://127.0.0.1',
  description: 'bench',
  timeoutMs: 6 * 3_600_000,
  toolAddress: 'https://bench.toolforge.org/'
})

interface Sample {
  lagMs: number
  requests: number
}

interface World {
  clock: VirtualClock
  api: ToolforgeApi
  /** When the final state is first visible, on the clock, once the deployment exists. */
  finalAt: () => number
}

function lengthened(timeline: Timeline, byMs: number): Timeline {
  return {
    ...timeline,
    components: timeline.components.map((c) =>
      c.build.kind === 'source' ? { ...c, build: { ...c.build, buildMs: c.build.buildMs + byMs } } : c
    )
  }
}

/** Each run draws its own service delays. */
function reseeded(timeline: Timeline, seed: number): Timeline {
  return timeline.serviceLatency
    ? { ...timeline, serviceLatency: { ...timeline.serviceLatency, seed: seed + 1 } }
    : timeline
}

function simulatedWorld(timeline: Timeline): World {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
  const sim = new SimulatedApi({ token: TOKEN, scenario: timeline, now: clock.now })
  return { clock, api: inProcessApi(sim, 'bench', TOKEN), finalAt: () => sim.deploymentsOf('bench')[0]!.finalAt }
}

function traceWorld(trace: Trace): World {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
  const start = clock.now()
  let api: ToolforgeApi | undefined
  const lazy: ToolforgeApi = {
    createDeployment: (request, signal) => (api ??= traceApi(trace, clock)).createDeployment(request, signal),
    getDeployment: (id, signal) => api!.getDeployment(id, signal),
    dispose: () => {}
  }
  return { clock, api: lazy, finalAt: () => start + traceFinalMs(trace) }
}

function counted(api: ToolforgeApi, onGet: () => void): ToolforgeApi {
  return { ...api, getDeployment: (id, signal) => (onGet(), api.getDeployment(id, signal)) }
}

/** The action's engine, in virtual time. */
async function actionSample(world: World): Promise<Sample> {
  let requests = 0
  const outcome = await deploy(settings, {
    api: counted(world.api, () => (requests += 1)),
    clock: world.clock as Clock,
    signal: new AbortController().signal,
    observer: {
      created: () => {},
      polled: () => {},
      queuedOnServer: () => {},
      retrying: () => {},
      creationRetrying: () => {},
      queued: () => {},
      probed: () => {}
    }
  })
  if (outcome.end !== 'successful' && outcome.end !== 'failed') throw new Error(`bench run ended ${outcome.end}`)
  return { lagMs: outcome.endedAt - world.finalAt(), requests }
}

/** A fixed-interval poll (the shell loop people write), in virtual time. */
async function fixedSample(world: World, intervalMs: number): Promise<Sample> {
  const { deployment } = await world.api.createDeployment({ description: '', forceBuild: false, forceRun: false })
  let requests = 0
  for (;;) {
    await world.clock.sleep(intervalMs)
    requests += 1
    const { deployment: d } = await world.api.getDeployment(deployment.deploy_id)
    if (isFinal(d.status)) return { lagMs: world.clock.now() - world.finalAt(), requests }
  }
}

/**
 * What a poller that cannot see the server's pace needs to keep the lag within 1.2 s: told
 * for free when the first build has started (so it spends no check before), it then checks
 * BUILDING_MAX_MS apart until it sees every build done (the final status can follow the
 * last build's end by 2 s), then SWEEP_STEP_MS apart until the final status.
 */
async function floorSample(world: World): Promise<Sample> {
  const { deployment } = await world.api.createDeployment({ description: '', forceBuild: false, forceRun: false })
  const read = async () => (await world.api.getDeployment(deployment.deploy_id)).deployment
  for (let d = await read(); !aBuildUnderWay(d) && !isFinal(d.status); d = await read()) await world.clock.sleep(10)
  for (let requests = 1; ; requests++) {
    const d = await read()
    if (isFinal(d.status)) return { lagMs: world.clock.now() - world.finalAt(), requests }
    const phase = phaseOf(d)
    await world.clock.sleep(phase === 'building' || phase === 'queued' ? BUILDING_MAX_MS : SWEEP_STEP_MS)
  }
}

interface Stats {
  medianLag: number
  maxLag: number
  meanRequests: number
  maxRequests: number
}

function stats(samples: Array<{ lagMs: number; requests: number }>): Stats {
  const lags = samples.map((s) => s.lagMs).sort((a, b) => a - b)
  return {
    medianLag: lags[Math.floor(lags.length / 2)]!,
    maxLag: lags.at(-1)!,
    meanRequests: samples.reduce((sum, s) => sum + s.requests, 0) / samples.length,
    maxRequests: Math.max(...samples.map((s) => s.requests))
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const row = (name: string, poller: string, st: Stats, bold = false) => {
  const b = (text: string) => (bold ? `**${text}**` : text)
  return `| ${name} | ${b(poller)} | ${b(s(st.medianLag))} | ${b(s(st.maxLag))} | ${b(`${st.meanRequests.toFixed(1)} / ${st.maxRequests}`)} |`
}

async function timelineSection(out: (line?: string) => void): Promise<void> {
  out('## 1. Synthetic timelines, in virtual time')
  out()
  out(
    `Each timeline runs ${PHASES} times with its builds lengthened by 0 to the spread given, so that the end falls at every point of the server's 2 s tick and of the action's pace; the simulator's state machine follows the real server's task (checked by the differential test). Lag: from the final state becoming visible to the client having it.`
  )
  out()
  out('| timeline | poller | median lag | max lag | requests (mean / max) |')
  out('| --- | --- | --- | --- | --- |')
  for (const { name, timeline, spreadMs, floor } of TIMELINES) {
    const runs = (sample: (world: World) => Promise<Sample>) =>
      Promise.all(
        Array.from({ length: PHASES }, (_, i) =>
          sample(simulatedWorld(reseeded(lengthened(timeline, (i * spreadMs) / PHASES), i)))
        )
      )
    const action = stats(await runs(actionSample))
    out(row(name, 'the action', action, true))
    for (const interval of [1_000, 10_000])
      out(row('', `fixed ${interval / 1000} s`, stats(await runs((w) => fixedSample(w, interval)))))
    if (floor) out(row('', 'blind floor', stats(await runs(floorSample))))
  }
  out()
}

async function traceSection(out: (line?: string) => void): Promise<void> {
  const traces = loadTraces()
  out('## 2. The real server’s recorded traces, in virtual time')
  out()
  out(
    `${traces.length} deployments recorded from the real Components API (\`npm run bench:record\`, every answer read every 20 ms, in dev/bench/traces/), replayed through the action's engine and through fixed polls.`
  )
  out()
  out('| trace | poller | lag | requests |')
  out('| --- | --- | --- | --- |')
  for (const trace of traces) {
    const action = await actionSample(traceWorld(trace))
    out(
      `| ${trace.name} (final at ${s(traceFinalMs(trace))}) | **the action** | **${s(action.lagMs)}** | **${action.requests}** |`
    )
    for (const interval of [1_000, 10_000]) {
      const fixed = await fixedSample(traceWorld(trace), interval)
      out(`| | fixed ${interval / 1000} s | ${s(fixed.lagMs)} | ${fixed.requests} |`)
    }
  }
  out()
}

let loopSerial = 0

/** A shell loop (`sleep N` between reads) in real time, with the same observer. */
async function shellLoop(api: RealApi, c: RealCase, sleepS: number, run: number, runs: number): Promise<RealSample> {
  loopSerial += 1
  const tool = `loop-${c.buildS}-${sleepS}-${loopSerial}-${process.pid % 1000}`
  const extraBuildS = (run * c.spreadS) / runs
  const components = Object.fromEntries(
    Array.from({ length: c.components }, (_, i) => [i === 0 ? 'web' : `worker${i}`, {}])
  )
  const token = await api.seedTool(tool, components)
  await api.setToolTimings(tool, { build_pending_s: c.queueS, build_running_s: c.buildS + extraBuildS })
  const base = `${api.apiUrl}/components/v1/tool/${tool}/deployment`
  const created = (await (await fetch(`${base}?token=${token}`, { method: 'POST' })).json()) as {
    data: { deploy_id: string }
  }
  const read = async () =>
    (
      JSON.parse(await readAgain(`${base}/${created.data.deploy_id}?token=${token}`)) as {
        data: { status?: string; long_status?: string }
      }
    ).data
  let observedAt: number | undefined
  let done = false
  const observer = (async () => {
    while (!done && observedAt === undefined) {
      if (isFinal((await read()).status)) observedAt = Date.now()
      await sleep(50)
    }
  })()
  let requests = 0
  let last: Awaited<ReturnType<typeof read>>
  for (;;) {
    await sleep(sleepS * 1000)
    requests += 1
    last = await read()
    if (isFinal(last.status)) break
  }
  const seenAt = Date.now()
  done = true
  await observer
  if (last.status !== 'successful')
    throw new Error(`the loop's deployment of ${tool} ended ${last.status}: ${last.long_status ?? ''}`)
  return { lagMs: Math.max(0, seenAt - (observedAt ?? seenAt)), requests, queuedRequests: 0 }
}

async function realSection(out: (line?: string) => void, where: RealApiLocation): Promise<void> {
  const count = quick ? 8 : 24
  const cases: Array<{ c: RealCase; count: number }> = [
    { c: { name: '2 components, builds of 20 s', queueS: 1, buildS: 20, spreadS: 4.5, components: 2 }, count },
    { c: { name: '2 components, builds of 60 s', queueS: 1, buildS: 60, spreadS: 4.5, components: 2 }, count },
    {
      c: { name: '2 components waiting 90 s for a build slot', queueS: 90, buildS: 3, spreadS: 2, components: 2 },
      count: quick ? 2 : 6
    }
  ]
  out('## 3. The bundle in real time against the real Components API')
  out()
  out(
    'The committed bundle (`node dist/index.js`, default inputs) deploys on the real server; an independent observer reads the deployment every 50 ms, and the lag is the time from its first read showing the final status to the action’s (as the server logged them). Build times are spread over the spread given, so the ends fall at every point of the server’s tick. The shell loops are the feature request’s `while sleep N; do curl …; done`, measured the same way.'
  )
  out()
  out(
    '| deployment | poller | runs | median lag | max lag | requests (mean / max) | while every build waits for a slot |'
  )
  out('| --- | --- | --- | --- | --- | --- | --- |')
  const api = await startRealApi(process.env, where)
  try {
    for (const { c, count: n } of cases) {
      const samples = await measureReal(api, c, n, 8)
      const st = stats(samples)
      const queued = Math.max(...samples.map((x) => x.queuedRequests))
      out(
        `| ${c.name} | **the action** | ${n} | **${s(st.medianLag)}** | **${s(st.maxLag)}** | **${st.meanRequests.toFixed(1)} / ${st.maxRequests}** | ${queued} (max) |`
      )
      if (c.queueS > 1) continue
      for (const sleepS of [10, 1]) {
        const runs = quick ? 3 : 8
        const loops = await Promise.all(Array.from({ length: runs }, (_, i) => shellLoop(api, c, sleepS, i, runs)))
        const lt = stats(loops)
        out(
          `| | \`sleep ${sleepS}\` loop | ${loops.length} | ${s(lt.medianLag)} | ${s(lt.maxLag)} | ${lt.meanRequests.toFixed(1)} / ${lt.maxRequests} | |`
        )
      }
    }
    out()
    await paceRows(out, api)
  } finally {
    await api.stop()
  }
  out()
}

/** The same deployment at production-like paces, each next to the shell loops, in one run. */
async function paceRows(out: (line?: string) => void, api: RealApi): Promise<void> {
  const runs = quick ? 3 : 6
  const c: RealCase = { name: '', queueS: 1, buildS: 20, spreadS: 3, components: 2 }
  out(
    `At production's pace: the stand-in build and jobs services answer every call of the deployment task after the delay given (\`latency_ms\`, \`latency_jitter_ms\`), so that each pass over two builds takes 2 s plus twice that, and the runs take longer too. 2 components, builds of 20 s; ${runs} runs of the action, 3 of each loop.`
  )
  out()
  out('| build and jobs calls | poller | runs | median lag | max lag | requests (mean / max) |')
  out('| --- | --- | --- | --- | --- | --- |')
  for (const { label, latency } of [{ label: 'immediate (local)', latency: { ms: 0, jitterMs: 0 } }, ...PACES]) {
    await api.configure({ latency_ms: latency.ms, latency_jitter_ms: latency.jitterMs })
    const st = stats(await measureReal(api, c, runs, runs))
    out(
      `| ${label} | **the action** | ${runs} | **${s(st.medianLag)}** | **${s(st.maxLag)}** | **${st.meanRequests.toFixed(1)} / ${st.maxRequests}** |`
    )
    for (const sleepS of [1, 10]) {
      const lt = stats(await Promise.all(Array.from({ length: 3 }, (_, i) => shellLoop(api, c, sleepS, i, 3))))
      out(
        `| | \`sleep ${sleepS}\` loop | 3 | ${s(lt.medianLag)} | ${s(lt.maxLag)} | ${lt.meanRequests.toFixed(1)} / ${lt.maxRequests} |`
      )
    }
  }
  await api.configure({ latency_ms: 0, latency_jitter_ms: 0 })
}

async function startup(): Promise<{ nodeMs: number; firstRequestMs: number; peakRssKb: number }> {
  const time = async (args: string[], env: NodeJS.ProcessEnv) => {
    const started = performance.now()
    let stderr = ''
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    await new Promise((resolve) => child.on('close', resolve))
    return { ms: performance.now() - started, stderr }
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
      [
        '--import',
        "data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS))",
        BUNDLE
      ],
      {
        PATH: process.env.PATH,
        INPUT_TOOL: `startup${i}`,
        INPUT_TOKEN: TOKEN,
        'INPUT_API-URL': url,
        INPUT_WAIT: 'false',
        INPUT_CHECK: 'off',
        GITHUB_OUTPUT: '/dev/null'
      }
    )
    clearInterval(watch)
    firstRequest.push((firstAt ?? performance.now()) - started)
    peakRssKb = Math.max(peakRssKb, Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? 0))
  }
  await sim.close()
  return { nodeMs: median(nodeTimes), firstRequestMs: median(firstRequest), peakRssKb }
}

async function main(): Promise<void> {
  // Known before the minutes of the virtual section, not after them.
  const where = process.argv.includes('--virtual-only') ? undefined : realApiFor('npm run bench')
  const lines: string[] = []
  const out = (line = '') => {
    console.log(line)
    lines.push(line)
  }
  const started = Date.now()
  out('# Benchmarks')
  out()
  out(
    `Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${process.platform}/${process.arch}). Requests are status checks (GET); the default \`poll-interval\` (10 s) applies.`
  )
  out()
  await timelineSection(out)
  await traceSection(out)
  if (where) await realSection(out, where)
  out('## What these figures do not show')
  out()
  out(
    "The action aims its checks just after the passes of the server's deployment task. It first assumes the pace measured on the real server code here (2.003–2.035 s a pass, quiet to busy), and learns what it can from the changes it sees: the mean pass lies somewhere in 2.0–3.5 s, narrowed by every change it can match to a pass, and a change outside every window it allows widens the model (src/engine/server-ticks.ts). Production's pace cannot be measured from here: its build and jobs services answer over the network, and a pass waits on them once per unfinished build. The rows at 150 ms and 300 ± 100 ms a call stand in for it. While builds run, a deployment shows no change from one pass to the next, so the pace shows only when builds start or end. The action aims at passes only when it saw the first one closely; otherwise it checks every 3.2 s while builds run, which keeps the lag within 1.2 s at any pace (the final status comes at least 2 s after the last build ends). Once the builds are seen done, one look goes just after the predicted pass, and the rest of the span where the final status can fall is swept every 0.7 s, which bounds that last part of the lag whatever the pace. The blind floor in section 1 is what keeping that bound costs a poller that cannot see the pace, even one told for free when the first build starts: checks 3.2 s apart while builds run, then 0.7 s apart until the final status. Where the action cannot predict the passes it makes about one check more than the floor (the check before any build has started, which a deployment with nothing to build needs); where it can, it makes fewer. Fewer checks at a pace the deployment does not show would mean checks further apart while builds run, and the final status seen that much later at worst."
  )
  out()
  out('## Start-up, size, memory')
  out()
  const boot = await startup()
  const size = statSync(BUNDLE).size
  out(
    `- \`node -e 0\`: ${boot.nodeMs.toFixed(0)} ms; process start to the first request of the bundle: ${boot.firstRequestMs.toFixed(0)} ms (${(boot.firstRequestMs - boot.nodeMs).toFixed(0)} ms more); medians of 15.`
  )
  out(`- \`dist/index.js\`: ${(size / 1024).toFixed(0)} KiB.`)
  out(`- Peak memory (max RSS) of the bundle creating a deployment: ${(boot.peakRssKb / 1024).toFixed(0)} MiB.`)
  out()
  out(`The whole benchmark took ${Math.round((Date.now() - started) / 1000)} s.`)
  if (!process.argv.includes('--virtual-only') && !quick)
    writeFileSync(`${ROOT}/BENCHMARKS.md`, `${lines.join('\n')}\n`)
}

await main()
