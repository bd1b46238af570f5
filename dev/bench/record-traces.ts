/**
 * `npm run bench:record`: records the real Components API's state traces for the
 * benchmark (dev/bench/traces/), each deployment read every 20 ms from creation to its final
 * status. Takes about two minutes.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { realApiFor } from '../support/prerequisites.js'
import { startRealApi } from '../real-api/real-api.js'
import { recordTrace, TRACES_DIR } from './traces.js'

const PLANS = [
  ...[0, 1.1, 2.2, 3.3].map((extra) => ({ name: `builds-20s-${extra}`, components: 2, queueS: 1, buildS: 20 + extra })),
  ...[0, 1.5, 3].map((extra) => ({ name: `builds-60s-${extra}`, components: 2, queueS: 1, buildS: 60 + extra })),
  { name: 'queue-90s-builds-20s', components: 2, queueS: 90, buildS: 20 },
  { name: 'build-failure-30s', components: 2, queueS: 1, buildS: 30, failing: true },
  { name: 'builds-5s-4-components', components: 4, queueS: 1, buildS: 5 }
]

const api = await startRealApi(process.env, realApiFor('npm run bench:record'))
try {
  const traces = await Promise.all(PLANS.map((plan) => recordTrace(api, plan.name, plan)))
  rmSync(TRACES_DIR, { recursive: true, force: true })
  mkdirSync(TRACES_DIR, { recursive: true })
  for (const trace of traces) {
    writeFileSync(join(TRACES_DIR, `${trace.name}.json`), `${JSON.stringify(trace)}\n`)
    console.log(
      `${trace.name}: ${trace.states.length} states, final at ${(trace.states.at(-1)!.ms / 1000).toFixed(1)} s`
    )
  }
} finally {
  await api.stop()
}
