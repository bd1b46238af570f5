/**
 * `npm run bench`: how soon the action learns a deployment's final state, and at what cost
 * in status requests, against the fixed polls people write; plus start-up, bundle size
 * and memory. Writes BENCHMARKS.md.
 *
 * 1. Synthetic timelines on the simulator's state machine (which follows the real
 *    server's task, ticks included), in virtual time through the action's own engine.
 * 2. The real server's recorded state traces (dev/bench/traces/, `npm run bench:record`),
 *    replayed in virtual time the same way.
 * 3. The sweep (sweep.ts): the committed bundle in real time against the real Components
 *    API, on each stand-in set the machine has, beside the blind floor and the shell loops,
 *    with issue 39's goals judged per point (goals.ts). About half an hour; `-- --quick` runs
 *    the everyday subset (about ten minutes), `-- --points=ID,…` the points named, and
 *    `-- --virtual-only` leaves it out. A whole
 *    run writes BENCHMARKS.md, dev/bench/results.json and the plot (docs/bench-lag.svg);
 *    `-- --from-results` measures the rest again and takes the sweep from results.json.
 */
import { spawn } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { SimulatedApi } from '../simulator/api.js'
import type { ComponentPlan, Timeline } from '../simulator/scenarios.js'
import { ToolforgeSimulator } from '../simulator/server.js'
import { inProcessApi } from '../support/in-process-api.js'
import { ROOT } from '../support/project-root.js'
import {
  AIMED_STEP_MS,
  BLIND_STEP_MS,
  BUILDING_MAX_MS,
  FIRST_CHECK_MS,
  FIRST_PASS_STEP_MS,
  LAG_BUDGET_MS,
  MAX_TICK_SPREAD_MS,
  RUNS_PHASE_MIN_MS,
  SWEEP_STEP_MS
} from '../../src/engine/poll-policy.js'
import { FIRST_GUESS, PASS_PRIOR } from '../../src/engine/server-ticks.js'
import { renderPlot } from './plot.js'
import { FULL, QUICK, type Point } from './points.js'
import { ABOVE_FLOOR, ABOVE_FLOOR_BLIND, BLIND_FROM_MS, MAX_LAG_MS, medianLagGoalMs } from './goals.js'
import { BUILD_SPREAD_S, PHASES as LOOP_PHASES, RUNS } from './real-timing.js'
import {
  blindRange,
  pairsAboveFloor,
  pointLabel,
  pooled,
  standInsTitle,
  TABLE_HEAD,
  tableRow,
  tally
} from './sweep-report.js'
import { RESULTS, PLOT, standInSets, sweep, type PointResult } from './sweep.js'
import { BUNDLE } from '../support/run-bundle.js'
import { loadTraces, traceFinalMs } from './traces.js'
import { exactSeconds, seconds } from './seconds.js'
import {
  actionSample,
  fixedSample,
  floorSample,
  TOKEN,
  traceWorld,
  type Sample,
  type World
} from './virtual-pollers.js'
import { VirtualClock } from '../support/virtual-clock.js'

const PHASES = 40
/** `--points=ID,…`: those points of the sweep only; like `--quick`, it writes nothing. */
const chosenIds = process.argv
  .find((arg) => arg.startsWith('--points='))
  ?.slice('--points='.length)
  .split(',')
const quick = process.argv.includes('--quick') || chosenIds !== undefined
/** The sweep's figures taken from the last whole run (dev/bench/results.json), the rest measured again. */
const fromResults = process.argv.includes('--from-results')

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

const row = (name: string, poller: string, st: Stats, bold = false) => {
  const b = (text: string) => (bold ? `**${text}**` : text)
  return `| ${name} | ${b(poller)} | ${b(seconds(st.medianLag))} | ${b(seconds(st.maxLag))} | ${b(`${st.meanRequests.toFixed(1)} / ${st.maxRequests}`)} |`
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
    `${traces.length} deployments recorded from the real Components API on both stand-in sets at 0 to 300 ms a call (\`npm run bench:record\`, every answer read every 50 ms, in dev/bench/traces/), replayed through the action's engine and through fixed polls. A replay sees the start only as finely as it was read: where the recording read the first build started after the action's first check would have, the replay takes the slow path (no aim) that the real run would not have taken.`
  )
  out()
  out('| trace | poller | lag | requests |')
  out('| --- | --- | --- | --- |')
  for (const trace of traces) {
    const action = await actionSample(traceWorld(trace))
    out(
      `| ${trace.standIns}/${trace.name} (final at ${seconds(traceFinalMs(trace))}) | **the action** | **${seconds(action.lagMs)}** | **${action.requests}** |`
    )
    for (const interval of [1_000, 10_000]) {
      const fixed = await fixedSample(traceWorld(trace), interval)
      out(`| | fixed ${interval / 1000} s | ${seconds(fixed.lagMs)} | ${fixed.requests} |`)
    }
  }
  out()
}

/** Both sets at once, each on its own server: the sweep takes half the time, and BENCHMARKS.md says so. */
async function sweepBoth(out: (line?: string) => void, points: Point[]): Promise<PointResult[][]> {
  const sets = standInSets()
  for (const { standIns, where } of sets)
    if (where.kind === 'none') out(`The ${standIns} stand-ins are left out: ${where.reason}.`)
  return Promise.all(
    sets.map(({ standIns, where }) =>
      where.kind === 'none'
        ? []
        : sweep(standIns, where, points, (result) =>
            console.error(`${standIns}: ${pointLabel(result.point)}: ${result.seconds.toFixed(0)} s`)
          )
    )
  )
}

/** The last whole sweep's results, each stand-in set's apart. */
function previousSweep(): PointResult[][] {
  const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as PointResult[]
  return (['shared', 'project'] as const).map((set) => results.filter((r) => r.standIns === set))
}

function chosenPoints(): Point[] {
  if (!chosenIds) return process.argv.includes('--quick') ? QUICK : FULL
  return chosenIds.map((id) => {
    const point = FULL.find((p) => p.id === id)
    if (!point) throw new Error(`no point ${id}; the points are ${FULL.map((p) => p.id).join(', ')}`)
    return point
  })
}

async function sweepSection(out: (line?: string) => void): Promise<PointResult[]> {
  out('## 3. Lag across the range, in real time against the real Components API')
  out()
  out(
    `The committed bundle (\`node dist/index.js\`, default inputs) deploys two components on the real server, ${RUNS} times per point, each run on its own tool, with build times spread evenly over ${BUILD_SPREAD_S} s so that each ends on another pass of the server and at another phase of a fixed-pace poller. The blind floor reads each of those deployments too, so the two compare on the same deployments. The \`sleep 1\` and \`sleep 10\` shell loops read one more deployment each (the middle build time), ${LOOP_PHASES} of each with their first reads spread evenly over one sleep, because where one loop's reads fall against the final status is luck. All start 0.3 s apart and run at once, on both stand-in sets at the same time. The lag is the server's own record: from the \`Finished at\` time its task writes into the final deployment to its answer to the poller's first read showing it. Latency: the stand-in build and jobs services answer every call after that delay (± the jitter), so that each pass of the task over two builds takes 2 s plus twice that, as in production, where those services answer over the network. Checks: status reads (GET), median (max). The floor is told for free when the first build starts, then reads ${exactSeconds(BUILDING_MAX_MS)} s apart until every build is done, then ${exactSeconds(SWEEP_STEP_MS)} s apart. Goal: median lag ≤ ${exactSeconds(medianLagGoalMs({ latencyMs: 0, jitterMs: 0 }))} s at latency 0, ≤ ${exactSeconds(medianLagGoalMs({ latencyMs: 1, jitterMs: 0 }))} s beyond (≤ ${exactSeconds(medianLagGoalMs({ latencyMs: 1, jitterMs: 1 }))} s with jitter), max ≤ ${exactSeconds(MAX_LAG_MS)} s, checks ≤ the floor's + ${ABOVE_FLOOR} (+ ${ABOVE_FLOOR_BLIND} from ${BLIND_FROM_MS} ms, where nothing shows the pace before the builds end: see below), and ahead of the \`sleep 1\` loop.`
  )
  out()
  out('![Median lag against latency](docs/bench-lag.svg)')
  out()
  const swept = fromResults ? previousSweep() : await sweepBoth(out, chosenPoints())
  const all = swept.flat()
  for (const results of swept.filter((r) => r.length > 0)) {
    out()
    out(`### On ${standInsTitle(results[0]!.standIns)}`)
    out()
    TABLE_HEAD.forEach((line) => out(line))
    results.forEach((result) => out(tableRow(result)))
  }
  out()
  if (all.length) out(`${tally(all)}. Every run pooled: ${pooled(all)}.`)
  out()
  return all
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
  const swept = process.argv.includes('--virtual-only') ? [] : await sweepSection(out)
  const blind = blindRange(swept)
  const pairs = pairsAboveFloor(swept)
  out('## What these figures do not show')
  out()
  out(
    `The action aims its checks just after the passes of the server's deployment task. It assumes the pace measured on the real server code here with its services answering at once (${exactSeconds(FIRST_GUESS.minMs)}–${exactSeconds(FIRST_GUESS.maxMs)} s a pass), but only where the start showed such services: builds started within ${exactSeconds(FIRST_CHECK_MS)} s of the creation, whose first pass it then catches with looks ${FIRST_PASS_STEP_MS} ms apart; a change the assumed pace cannot place refutes it. Otherwise, and wherever it cannot predict a pass to within ${exactSeconds(MAX_TICK_SPREAD_MS)} s, it checks every ${exactSeconds(BUILDING_MAX_MS)} s while builds run, which keeps the lag within ${exactSeconds(LAG_BUDGET_MS)} s at any pace (the final status comes at least ${exactSeconds(RUNS_PHASE_MIN_MS)} s after the last build ends). While builds run a deployment shows nothing from one pass to the next, so nothing corrects the assumed pace on the way: at latency 0 the aim's spread grows by about ${FIRST_GUESS.maxMs - FIRST_GUESS.minMs} ms a pass, which is why long builds at latency 0 are seen later than short ones; and services a little slower than assumed that the start did not reveal (25 ms a call) land the aimed checks a little earlier every pass. Once the builds are seen done, where the pass that brings the final status is predicted, looks at most ${exactSeconds(AIMED_STEP_MS)} s apart cover the window it is predicted in, the last just after it, so that the wider the window (the more passes since the anchor), the more looks, rather than one look at its end; looks at most ${exactSeconds(SWEEP_STEP_MS)} s apart lead up to it in case the pace was guessed wrong. Where nothing predicts that pass, it is as likely anywhere in a span of ${exactSeconds(PASS_PRIOR.minMs)}–${exactSeconds(PASS_PRIOR.maxMs)} s, and looks sweep the span every ${exactSeconds(BLIND_STEP_MS)} s. The blind floor is what keeping the ${exactSeconds(LAG_BUDGET_MS)} s bound costs a poller that cannot see the pace, even one told for free when the first build starts: checks ${exactSeconds(BUILDING_MAX_MS)} s apart while builds run, then ${exactSeconds(SWEEP_STEP_MS)} s apart until the final status. Production's pace cannot be measured from here: its build and jobs services answer over the network, and a pass waits on them once per unfinished build; the latencies of the sweep stand in for it.`
  )
  out()
  out('Where a row misses the goal, it is for one of these reasons.')
  out()
  out(
    `- **Services that answer 25 ms a call.** The start looks like latency 0, the assumed pace is some 45 ms a pass too fast (2.057–2.064 s a pass, from the shared build service's log), and when the builds end just after a check aimed early, the final status is seen a pass late (up to 1.5 s); from 50 ms no build has started by the first check, and the action does not aim. Telling 25 ms from 0 takes the first pass and the next seen to within some 20 ms each: three or four checks more on every deployment, against a goal of one above the floor. The start's timing does not tell them apart either: on the project's stand-ins at 25 ms the first pass is seen 0.19 s after the creation, as on the shared ones at latency 0 (0.18–0.19 s), and a check that finds the first pass half done, which slower services would make likely, came in 5 of 10 runs at latency 0 on the shared set. Not aiming at all holds the lag at 25 ms (measured once with the engine changed so, five runs a point: median 0.16 / 0.17 s and longest 1.01 s; 0.12 / 0.24 s and 1.03 s with jitter), but costs three checks above the floor on the shared set, and two at latency 0.`
  )
  out(
    `- **Long builds at latency 0.** When the builds end on a pass the action looks at, the looks that cover the next pass's window see the final status within ${exactSeconds(AIMED_STEP_MS)} s; when they end on the pass before, the final status comes on a looked-at pass, and that look comes at the end of its window. The assumed pace must span what the server here does quiet (2.0044–2.0048 s a pass, from its build service's log, with seven deployments under way) and with every core busy (2.0103–2.0116 s), so on a quiet machine that look is about 7 ms a pass late: 0.3 s after 60 s of builds, 0.8 s after 180 s. Which case happens depends on the pass the builds end on, so the median of five runs lands on one or the other. Looking after every pass once the predicted window is wider than 0.2 s holds the lag (measured the same way: median 0.11 / 0.10 s at 180 s, 0.08 / 0.02 s at 60 s), but costs 31 and 32 checks above the floor at 180 s, 7 and 11 at 60 s: with nothing shown from one pass to the next, the pace is not known closely enough for both.`
  )
  out(
    `- **Every core busy at latency 0.** Under the sweep's whole load (both stand-in sets, every poller) with every core busy, the passes take 2.012–2.021 s on average (measured from both build services' logs, 30 runs), at and beyond the top of the assumed pace, so an aimed check can land just before the pass the builds end on, and the final status is seen a pass late: in those 30 runs, 1.98–1.99 s in 3 of 15 on the shared set and 1.15 s in 2 of 15 on the project's, so that a row of five misses or not by luck. With one set and fewer pollers the same machine's busy passes take 2.007–2.012 s. A guess wide enough for the loaded machine would leave the look at the end of a window on a quiet one about 16 ms a pass late, 0.5 s after 60 s of builds.`
  )
  out(
    `- **Checks compared in pairs.** The action's checks are compared with the floor's on the same deployment, but the floor's checks keep the phase of the first build's start and the action's that of its own first checks: where the builds end between the two, the floor sees the final status directly while the action sweeps the span.${pairs ? ` ${pairs}.` : ''} A row misses on checks when three of its five pairs fall in the second group.`
  )
  out()
  out(
    `**Up to ${ABOVE_FLOOR_BLIND} checks above the floor from ${BLIND_FROM_MS} ms.** There nothing shows the pace before the builds end, so sweeping the span of the final pass every ${exactSeconds(SWEEP_STEP_MS)} s, as the floor does, left the lag spread evenly up to ${exactSeconds(SWEEP_STEP_MS)} s: in the sweep of commit bd5d3f3 (its build times 1.6 s apart), 35% of the runs at 50–225 ms were over 0.4 s and 8 of those 42 rows missed the median goal, all within one check of the floor. At 250–300 ms the ${exactSeconds(SWEEP_STEP_MS)} s sweep had met the goal (the jobs service's own calls leave a window as wide as the latency in which a look sees the first component restarted, and looks then come every quarter second), but the action cannot tell those latencies from the slower ones before the end.${blind ? ` ${blind}.` : ''}`
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
  const sweepS = Math.max(
    0,
    ...[...new Set(swept.map((r) => r.standIns))].map((set) =>
      swept.filter((r) => r.standIns === set).reduce((sum, r) => sum + r.seconds, 0)
    )
  )
  out(
    fromResults
      ? `The sweep's figures are those of dev/bench/results.json (its run took ${Math.round(sweepS / 60)} min); the rest took ${Math.round((Date.now() - started) / 1000)} s.`
      : `The whole benchmark took ${Math.round((Date.now() - started) / 1000)} s.`
  )
  if (!process.argv.includes('--virtual-only') && !quick) {
    writeFileSync(`${ROOT}/BENCHMARKS.md`, `${lines.join('\n')}\n`)
    if (!fromResults) writeFileSync(RESULTS, `${JSON.stringify(swept)}\n`)
    writeFileSync(PLOT, renderPlot(swept))
  }
}

await main()
