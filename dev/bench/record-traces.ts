/**
 * `npm run bench:record`: records the real Components API's state traces (dev/bench/traces/),
 * on each stand-in set the machine has (sweep.ts), at the services' latencies the pacing
 * must hold at: each deployment read every 50 ms from creation to its final status. The
 * unit tests replay them through the engine. Takes about three minutes.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startRealApi } from '../real-api/real-api.js'
import type { RealApiLocation } from '../support/prerequisites.js'
import { standInSets, type StandIns } from './sweep.js'
import { recordTrace, TRACES_DIR, type Trace, type TracePlan } from './traces.js'

const builds20 = (phases: number[], suffix = ''): TracePlan[] =>
  phases.map((extra) => ({ name: `builds-20s-${extra}${suffix}`, components: 2, queueS: 1, buildS: 20 + extra }))

/** At each latency (one at a time: the services' delay is the whole server's), the deployments recorded at once. */
const GROUPS: Array<{ latencyMs: number; jitterMs: number; plans: TracePlan[] }> = [
  {
    latencyMs: 0,
    jitterMs: 0,
    plans: [
      ...builds20([0, 0.7, 1.4]),
      ...[0, 1, 2].map((extra) => ({ name: `builds-60s-${extra}`, components: 2, queueS: 1, buildS: 60 + extra })),
      { name: 'builds-5s-4-components', components: 4, queueS: 1, buildS: 5 },
      { name: 'build-failure-30s', components: 2, queueS: 1, buildS: 30, failing: true },
      { name: 'queue-90s-builds-20s', components: 2, queueS: 90, buildS: 20 }
    ]
  },
  { latencyMs: 50, jitterMs: 0, plans: builds20([0, 1.1], '-50ms') },
  { latencyMs: 150, jitterMs: 0, plans: builds20([0, 1.1], '-150ms') },
  { latencyMs: 300, jitterMs: 100, plans: builds20([0, 1.3], '-300ms-j100') }
]

async function record(standIns: StandIns, where: RealApiLocation): Promise<Trace[]> {
  const api = await startRealApi(process.env, where)
  const traces: Trace[] = []
  try {
    for (const { latencyMs, jitterMs, plans } of GROUPS) {
      await api.configure({ latency_ms: latencyMs, latency_jitter_ms: jitterMs })
      // Started a second apart: deployments starting their builds at once slow each other's start.
      const recorded = plans.map(async (plan, i) => {
        await sleep(i * 1_000)
        return recordTrace(api, plan, { standIns, latencyMs, jitterMs })
      })
      traces.push(...(await Promise.all(recorded)))
    }
  } finally {
    await api.stop()
  }
  return traces
}

const sets = standInSets()
for (const { standIns, where } of sets)
  if (where.kind === 'none') console.log(`The ${standIns} stand-ins are left out: ${where.reason}.`)
const recorded = await Promise.all(
  sets.flatMap(({ standIns, where }) => (where.kind === 'none' ? [] : [record(standIns, where)]))
)
for (const traces of recorded) {
  const dir = join(TRACES_DIR, traces[0]!.standIns)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const trace of traces) {
    writeFileSync(join(dir, `${trace.name}.json`), `${JSON.stringify(trace)}\n`)
    console.log(
      `${trace.standIns}/${trace.name}: ${trace.states.length} states, final at ${(trace.states.at(-1)!.ms / 1000).toFixed(1)} s`
    )
  }
}
