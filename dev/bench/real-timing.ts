/**
 * Detection lag and status checks in real time, against the real Components API: the
 * committed bundle, the blind floor and the shell loops each deploy their own tool with
 * the same timings, at once. The lag is the server's own record: from the `Finished at`
 * time the task writes into the final deployment to the moment the server answered the
 * poller's first read showing it (both on the server's clock; no observer loads it).
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUILDING_MAX_MS, SWEEP_STEP_MS } from '../../src/engine/poll-policy.js'
import { aBuildUnderWay, isFinal, phaseOf } from '../../src/engine/status.js'
import { parseDeployment, type Deployment } from '../../src/engine/toolforge-types.js'
import { loggedRequests, type ComponentSpec, type RealApi } from '../real-api/real-api.js'
import { runAction } from '../support/run-bundle.js'
import type { Point } from './points.js'

export type Poller = 'action' | 'floor' | 'sleep 1' | 'sleep 10'
export const POLLERS: Poller[] = ['action', 'floor', 'sleep 1', 'sleep 10']

export interface RunSample {
  lagMs: number
  /** Status checks (GET) counted for the poller. */
  gets: number
}

/** Reads a poller makes that its count leaves out (the floor is told for free when a build starts). */
const FREE_READER = 'bench-free-read'
const FINISHED_AT = /Finished at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)\+00:00/

/** The server's `Finished at` stamp, in seconds since the epoch. */
function finishedAt(longStatus: string): number | undefined {
  const match = FINISHED_AT.exec(longStatus)
  return match ? Date.parse(`${match[1]!.replace(' ', 'T').slice(0, 23)}Z`) / 1000 : undefined
}

/**
 * One read, sent again when the server closed a kept-alive connection just as it was
 * reused (its idle timeout racing the next request): a property of the test client, not
 * of what is measured.
 */
async function readAgain(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init)
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
}

interface Seeded {
  tool: string
  token: string
  base: string
}

let serial = 0

function componentsOf(point: Point, ref = 'main'): Record<string, ComponentSpec> {
  return Object.fromEntries(
    Array.from({ length: point.components }, (_, i) => [i === 0 ? 'web' : `worker${i}`, { ref }])
  )
}

async function seed(api: RealApi, point: Point, who: string, extraBuildS: number): Promise<Seeded> {
  serial += 1
  const tool = `b${process.pid % 1000}-${serial}-${who.replace(/\W/g, '')}`.slice(0, 40)
  const token = await api.seedTool(tool, componentsOf(point))
  await api.setToolTimings(tool, { build_pending_s: 1, build_running_s: point.buildS + extraBuildS })
  return { tool, token, base: `${api.apiUrl}/components/v1/tool/${tool}/deployment` }
}

/**
 * With `behind`, another deployment of the tool runs first, and the poller's own is
 * created once that one ends. The first builds a ref that fails, so that the poller's
 * build of `main` cannot reuse an image of it.
 */
async function occupy(api: RealApi, point: Point, s: Seeded): Promise<void> {
  if (!point.behind) return
  await api.setConfig(s.tool, componentsOf(point, 'broken'))
  const answer = await readAgain(`${s.base}?token=${s.token}`, { method: 'POST' })
  if (answer.status !== 200) throw new Error(`the deployment to wait behind was refused: HTTP ${answer.status}`)
  await answer.body?.cancel()
  await api.setConfig(s.tool, componentsOf(point))
}

/** Creates the deployment, asking again every second while another one holds the tool (HTTP 409). */
async function create(s: Seeded): Promise<string> {
  for (;;) {
    const answer = await readAgain(`${s.base}?token=${s.token}`, { method: 'POST' })
    const body = (await answer.json()) as { data?: { deploy_id?: string } }
    if (answer.status === 200 && body.data?.deploy_id) return body.data.deploy_id
    if (answer.status !== 409) throw new Error(`creating a deployment of ${s.tool} failed: HTTP ${answer.status}`)
    await sleep(1_000)
  }
}

async function read(s: Seeded, id: string, userAgent: string): Promise<Deployment> {
  const answer = await readAgain(`${s.base}/${id}?token=${s.token}`, { headers: { 'user-agent': userAgent } })
  const deployment = deploymentIn(await answer.text())
  if (!deployment) throw new Error(`no deployment in the answer about ${s.tool}`)
  return deployment
}

/**
 * The feature request's `while sleep N; do curl …; done`. Its reads fall wherever its
 * start put them: `phase` (0–1) spreads the runs' first reads over one sleep.
 */
async function shellLoop(s: Seeded, sleepS: number, phase: number): Promise<void> {
  const id = await create(s)
  await sleep(phase * sleepS * 1000)
  do await sleep(sleepS * 1000)
  while (!isFinal((await read(s, id, `loop-${sleepS}`)).status))
}

/**
 * What a poller that cannot see the server's pace needs to keep the lag within 1.2 s: told
 * for free when the first build has started, it then checks BUILDING_MAX_MS apart until it
 * sees every build done (the final status follows the last build's end by at least the
 * task's 2 s pause), then SWEEP_STEP_MS apart until the final status.
 */
async function floorPoller(s: Seeded): Promise<void> {
  const id = await create(s)
  for (
    let d = await read(s, id, FREE_READER);
    !aBuildUnderWay(d) && !isFinal(d.status);
    d = await read(s, id, FREE_READER)
  )
    await sleep(50)
  for (;;) {
    const d = await read(s, id, 'bench-floor')
    if (isFinal(d.status)) return
    const phase = phaseOf(d)
    await sleep(phase === 'building' || phase === 'queued' ? BUILDING_MAX_MS : SWEEP_STEP_MS)
  }
}

async function actionRun(api: RealApi, s: Seeded): Promise<void> {
  const run = await runAction({
    inputs: { tool: s.tool, token: s.token, 'api-url': api.apiUrl, check: 'off', timeout: '20m' },
    killAfterMs: 1_500_000
  })
  if (run.code !== 0) throw new Error(`the bundle failed on ${s.tool} (exit ${run.code}):\n${run.stdout.slice(-2000)}`)
}

/** The deployment a logged answer carried. */
function deploymentIn(body: string): Deployment | undefined {
  return parseDeployment((JSON.parse(body) as { data?: unknown }).data)
}

/** The poller's lag and checks, from the server's log (read once for the whole point). */
function sampleOf(log: Pick<RealApi, 'requestLog'>, s: Seeded): RunSample {
  const gets = loggedRequests(log, s.tool).filter((r) => r.method === 'GET' && r.user_agent !== FREE_READER)
  // Of the deployments read, the poller's own is the one it read last.
  const own = gets.filter((r) => r.path === gets.at(-1)?.path)
  const seen = own.map((r) => ({ r, d: deploymentIn(r.response_body) }))
  const final = seen.find(({ d }) => d !== undefined && isFinal(d.status))
  if (!final) throw new Error(`no final status read for ${s.tool}`)
  const end = finishedAt(final.d!.long_status ?? '')
  if (final.d!.status !== 'successful' || end === undefined)
    throw new Error(`${s.tool} ended ${final.d!.status}: ${final.d!.long_status ?? ''}`)
  return { lagMs: Math.max(0, (final.r.t + final.r.ms / 1000 - end) * 1000), gets: own.length }
}

/** Cores kept busy while `during` runs: `node -e 'for(;;);'`, one per core. */
async function withBusyCores<T>(cores: number, during: () => Promise<T>): Promise<T> {
  const children = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' }))
  try {
    return await during()
  } finally {
    for (const child of children) child.kill('SIGKILL')
  }
}

const STAGGER_MS = 300

export interface PointSamples {
  action: RunSample[]
  floor: RunSample[]
  'sleep 1': RunSample[]
  'sleep 10': RunSample[]
}

/** Runs of each poller at every point: the action's five give its median and maximum, the others' three theirs. */
export const RUNS: Record<Poller, number> = { action: 5, floor: 3, 'sleep 1': 3, 'sleep 10': 3 }

/**
 * Build times spread over this much, evenly over each poller's runs: each ends on another
 * pass, and a poller whose checks keep a fixed pace from the start (the blind floor's
 * 3.2 s, an unaimed action's) meets that pass at another phase of its pace.
 */
export const BUILD_SPREAD_S = 8

/** One point: every poller's runs at once, each on its own tool. */
export async function measurePoint(api: RealApi, point: Point, busyCores: number): Promise<PointSamples> {
  await api.configure({ latency_ms: point.latencyMs, latency_jitter_ms: point.jitterMs })
  const pollers: Array<{ poller: Poller; go: (s: Seeded, phase: number) => Promise<void> }> = [
    { poller: 'action', go: (s) => actionRun(api, s) },
    { poller: 'floor', go: floorPoller },
    { poller: 'sleep 1', go: (s, phase) => shellLoop(s, 1, phase) },
    { poller: 'sleep 10', go: (s, phase) => shellLoop(s, 10, phase) }
  ]
  const jobs = pollers.flatMap(({ poller, go }) =>
    Array.from({ length: RUNS[poller] }, (_, run) => ({
      poller,
      go,
      phase: (run + 0.5) / RUNS[poller],
      extraS: (run * BUILD_SPREAD_S) / RUNS[poller]
    }))
  )
  const seeded = await Promise.all(jobs.map((job) => seed(api, point, job.poller, job.extraS)))
  await Promise.all(seeded.map((s) => occupy(api, point, s)))
  const measured = async () => {
    // Started STAGGER_MS apart: a dozen deployments starting their builds at once slow each
    // other's start (git ls-remote, the build service), which no real run meets.
    await Promise.all(jobs.map(async (job, i) => (await sleep(i * STAGGER_MS), job.go(seeded[i]!, job.phase))))
    // The server logs an exchange just after answering it.
    await sleep(300)
  }
  await (point.busy ? withBusyCores(busyCores, measured) : measured())
  const samples: PointSamples = { action: [], floor: [], 'sleep 1': [], 'sleep 10': [] }
  const log = { requestLog: api.requestLog }
  jobs.forEach((job, i) => samples[job.poller].push(sampleOf(log, seeded[i]!)))
  return samples
}
