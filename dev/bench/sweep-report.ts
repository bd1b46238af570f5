/**
 * The sweep's tables for BENCHMARKS.md and the terminal: a row per point and stand-in set,
 * with the action, the blind floor and the shell loops side by side, and the goal's verdict.
 */
import { BLIND_STEP_MS } from '../../src/engine/poll-policy.js'
import {
  ABOVE_FLOOR,
  ABOVE_FLOOR_BLIND,
  aboveFloor,
  BLIND_FROM_MS,
  judge,
  median,
  medianLagGoalMs,
  overMedianGoal,
  pairsOverFloor,
  summary
} from './goals.js'
import type { Point } from './points.js'
import { POLLERS } from './real-timing.js'
import type { PointResult, StandIns } from './sweep.js'
import { seconds, secondsFigure } from './seconds.js'

export function pointLabel(point: Point): string {
  const latency = point.latencyMs === 0 ? '0' : `${point.latencyMs}${point.jitterMs ? ` ± ${point.jitterMs}` : ''} ms`
  const extra = [point.behind ? 'behind another' : '', point.busy ? 'cores busy' : ''].filter(Boolean)
  return [`${point.buildS} s builds`, latency === '0' ? 'latency 0' : latency, ...extra].join(', ')
}

export const TABLE_HEAD = [
  "| point | action: median / max lag (s) | checks, above the floor's | floor: lag (s) | checks | `sleep 1`: lag (s) | checks | `sleep 10`: lag (s) | goal |",
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |'
]

/** One row: medians over the runs; checks as median (max), and the action's above the floor's (median of the pairs). */
export function tableRow(result: PointResult): string {
  const action = summary(result.samples.action)
  const floor = summary(result.samples.floor)
  const loop1 = summary(result.samples['sleep 1'])
  const loop10 = summary(result.samples['sleep 10'])
  const verdict = judge(result.point, result.samples)
  const checks = (x: ReturnType<typeof summary>) => `${x.medianGets} (${x.maxGets})`
  const above = aboveFloor(result.samples)
  return `| ${pointLabel(result.point)} | **${secondsFigure(action.medianLagMs)} / ${secondsFigure(action.maxLagMs)}** | **${checks(action)}**, ${above >= 0 ? '+' : '−'}${Math.abs(above)} | ${secondsFigure(floor.medianLagMs)} | ${checks(floor)} | ${secondsFigure(loop1.medianLagMs)} | ${checks(loop1)} | ${secondsFigure(loop10.medianLagMs)} | ${verdict.pass ? 'PASS' : `FAIL: ${verdict.misses.join('; ')}`} |`
}

export function standInsTitle(standIns: StandIns): string {
  return standIns === 'shared'
    ? 'the server shipped beside the project, with its stand-ins (`../shared/toolforge/real-api/`, fake_backends.py)'
    : "upstream's code behind the project's own stand-ins (dev/real-api/stand-ins.ts)"
}

/** How many points passed, per stand-in set. */
export function tally(results: PointResult[]): string {
  const sets = [...new Set(results.map((r) => r.standIns))]
  return sets
    .map((set) => {
      const mine = results.filter((r) => r.standIns === set)
      const passed = mine.filter((r) => judge(r.point, r.samples).pass).length
      return `${set} stand-ins: ${passed} of ${mine.length} points PASS`
    })
    .join('; ')
}

/** Every run of the sweep pooled, per poller: what a user meets across the range. */
export function pooled(results: PointResult[]): string {
  return POLLERS.map((poller) => {
    const runs = results.flatMap((r) => r.samples[poller])
    const lags = runs.map((run) => run.lagMs)
    const mean = lags.reduce((sum, lag) => sum + lag, 0) / lags.length
    return `${poller === 'action' ? 'the action' : poller === 'floor' ? 'the blind floor' : `the \`${poller}\` loop`}: median lag ${seconds(median(lags))}, mean ${seconds(mean)}, longest ${seconds(Math.max(...lags))} over ${runs.length} runs`
  }).join('; ')
}

/** Where the jobs service's own calls leave a window that shows the first component restarted. */
const SLOWEST_FROM_MS = 250

/**
 * What the blind range's sentence of BENCHMARKS.md says, from the sweep itself: from
 * BLIND_FROM_MS up to SLOWEST_FROM_MS, the share of the action's runs over 0.4 s and the
 * rows that miss their median goal; from SLOWEST_FROM_MS, the rows a second check above
 * the floor.
 */
export function blindRange(results: PointResult[]): string | undefined {
  const blind = results.filter((r) => r.point.latencyMs >= BLIND_FROM_MS && r.point.latencyMs < SLOWEST_FROM_MS)
  const slowest = results.filter((r) => r.point.latencyMs >= SLOWEST_FROM_MS)
  if (!blind.length || !slowest.length) return undefined
  const runs = blind.flatMap((r) => r.samples.action)
  const goalMs = medianLagGoalMs({ latencyMs: BLIND_FROM_MS, jitterMs: 0 })
  const over = Math.round((100 * runs.filter((run) => run.lagMs > goalMs).length) / runs.length)
  const missing = blind.filter((r) => overMedianGoal(r.point, summary(r.samples.action))).length
  const second = slowest.filter((r) => aboveFloor(r.samples) > ABOVE_FLOOR).length
  return `Sweeping every ${BLIND_STEP_MS / 1000} s, ${over}% of those runs are over ${goalMs / 1000} s and ${missing} of ${blind.length} rows miss the median goal; from ${SLOWEST_FROM_MS} ms it costs a second check above the floor at ${second} of ${slowest.length} rows`
}

/**
 * The action's checks above the floor's, pair by pair, from BLIND_FROM_MS on: most pairs
 * within the allowance, and a second group where the floor's steps passed over the builds'
 * end and saw the final status directly while the action swept the span.
 */
export function pairsAboveFloor(results: PointResult[]): string | undefined {
  const pairs = results.filter((r) => r.point.latencyMs >= BLIND_FROM_MS).flatMap((r) => pairsOverFloor(r.samples))
  if (!pairs.length) return undefined
  const within = pairs.filter((above) => above <= ABOVE_FLOOR_BLIND).length
  const far = pairs.filter((above) => above > ABOVE_FLOOR_BLIND + 1)
  const mean = pairs.reduce((sum, above) => sum + above, 0) / pairs.length
  const beyond = far.length ? ` and ${far.length} are ${Math.min(...far)}–${Math.max(...far)} above` : ''
  return `From ${BLIND_FROM_MS} ms, ${within} of the ${pairs.length} pairs are at most ${ABOVE_FLOOR_BLIND} checks above the floor${beyond}, ${mean.toFixed(1)} on average`
}
