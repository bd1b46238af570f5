/**
 * Detection lag and status checks in real time, against the real Components API: the
 * committed bundle deploys its own tools, the blind floor reads the bundle's deployments,
 * and the shell loops each read one deployment of their own, all at once. The lag is the
 * server's own record: from the `Finished at` time the task writes into the final
 * deployment to the moment the server answered the poller's first read showing it (both on
 * the server's clock; no observer loads it).
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { aBuildUnderWay, isFinal } from '../../src/engine/status.js'
import { parseDeployment, type Deployment } from '../../src/engine/toolforge-types.js'
import { loggedRequestsOf, type ComponentSpec, type LoggedRequest, type RealApi } from '../real-api/real-api.js'
import { runAction } from '../support/run-bundle.js'
import { floorPause } from './floor.js'
import type { Point } from './points.js'

export type Poller = 'action' | 'floor' | 'sleep 1' | 'sleep 10'
export const POLLERS: Poller[] = ['action', 'floor', 'sleep 1', 'sleep 10']

export interface RunSample {
  lagMs: number
  /** Status checks (GET) counted for the poller. */
  gets: number
}

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
 * build of `main` cannot reuse an image of it. Returns the first one's id.
 */
async function occupy(api: RealApi, point: Point, s: Seeded): Promise<string | undefined> {
  if (!point.behind) return undefined
  await api.setConfig(s.tool, componentsOf(point, 'broken'))
  const answer = await readAgain(`${s.base}?token=${s.token}`, { method: 'POST' })
  const body = (await answer.json()) as { data?: { deploy_id?: string } }
  if (answer.status !== 200 || !body.data?.deploy_id)
    throw new Error(`the deployment to wait behind was refused: HTTP ${answer.status}`)
  await api.setConfig(s.tool, componentsOf(point))
  return body.data.deploy_id
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
 * The feature request's `while sleep N; do curl …; done`, PHASES of them on one
 * deployment, their first reads spread evenly over one sleep: where a single loop's reads
 * fall against the final status is luck, and evenly spread they show its whole range.
 */
async function shellLoops(s: Seeded, sleepS: number): Promise<void> {
  const id = await create(s)
  await Promise.all(
    Array.from({ length: PHASES }, async (_, phase) => {
      await sleep(((phase + 0.5) / PHASES) * sleepS * 1000)
      do await sleep(sleepS * 1000)
      while (!isFinal((await read(s, id, loopReader(sleepS, phase))).status))
    })
  )
}

const loopReader = (sleepS: number, phase: number) => `bench-loop-${sleepS}-${phase}`
const FLOOR_READER = 'bench-floor'

/** The deployment the action created on `s.tool`, once a build of it is under way (or it ended). */
async function actionsDeployment(api: RealApi, s: Seeded, occupier: string | undefined): Promise<string> {
  for (;;) {
    const answer = await api.asMaintainer(s.tool, 'GET', '/deployment')
    const listed = (answer.body.data as { deployments?: unknown[] } | undefined)?.deployments ?? []
    const started = listed
      .map((d) => parseDeployment(d))
      .find((d) => d !== undefined && d.deploy_id !== occupier && (aBuildUnderWay(d) || isFinal(d.status)))
    if (started) return started.deploy_id
    await sleep(50)
  }
}

/**
 * The blind floor (floor.ts) on the action's own deployment, told when a build starts by
 * the maintainer's list (not counted).
 */
async function floorPoller(api: RealApi, s: Seeded, occupier: string | undefined): Promise<void> {
  const id = await actionsDeployment(api, s, occupier)
  for (;;) {
    const d = await read(s, id, FLOOR_READER)
    if (isFinal(d.status)) return
    await sleep(floorPause(d))
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

/** The action's reads: with its own user agent, and without the maintainer's header. */
const isActions = (r: LoggedRequest) => !r.user_agent?.startsWith('bench-') && r.x_toolforge_tool === null

/** A poller's lag and checks, from what the server logged about `tool`. */
function sampleOf(
  logged: Map<string, LoggedRequest[]>,
  tool: string,
  reader: (r: LoggedRequest) => boolean
): RunSample {
  const gets = logged.get(tool)!.filter((r) => r.method === 'GET' && reader(r))
  // Of the deployments read, the poller's own is the one it read last.
  const own = gets.filter((r) => r.path === gets.at(-1)?.path)
  const seen = own.map((r) => ({ r, d: deploymentIn(r.response_body) }))
  const final = seen.find(({ d }) => d !== undefined && isFinal(d.status))
  if (!final) throw new Error(`no final status read for ${tool}`)
  const end = finishedAt(final.d!.long_status ?? '')
  if (final.d!.status !== 'successful' || end === undefined)
    throw new Error(`${tool} ended ${final.d!.status}: ${final.d!.long_status ?? ''}`)
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

/** The action's runs at every point; the floor reads the same deployments. */
export const RUNS = 5
/** How many phases of each shell loop read one deployment. */
export const PHASES = 5
/** The shell loops' sleeps, in the order of PointSamples' `sleep 1` and `sleep 10`. */
const LOOP_SLEEPS_S = [1, 10] as const

/**
 * Build times spread over this much, evenly over the action's runs, 2.6 s apart: longer
 * than the sweep's longest pass (2 s plus two calls of 300 ms), so that each ends on
 * another pass (1.6 s apart, two runs could end on one pass and count twice), and a
 * poller whose checks keep a fixed pace from the start (the blind floor's 3.2 s, an
 * unaimed action's) meets that pass at another phase of its pace. The shell loops'
 * deployments take the middle one.
 */
export const BUILD_SPREAD_S = 13

/**
 * One point: the action's runs, each on its own tool, with the blind floor reading each
 * of its deployments too, and each shell loop's phases on one more deployment; all at once.
 */
export async function measurePoint(api: RealApi, point: Point, busyCores: number): Promise<PointSamples> {
  await api.configure({ latency_ms: point.latencyMs, latency_jitter_ms: point.jitterMs })
  const middleS = ((RUNS - 1) / 2) * (BUILD_SPREAD_S / RUNS)
  const actions = await Promise.all(
    Array.from({ length: RUNS }, (_, run) => seed(api, point, 'action', (run * BUILD_SPREAD_S) / RUNS))
  )
  const loops = await Promise.all(LOOP_SLEEPS_S.map((sleepS) => seed(api, point, `loop${sleepS}`, middleS)))
  const occupiers = await Promise.all([...actions, ...loops].map((s) => occupy(api, point, s)))
  const jobs: Array<() => Promise<void>> = [
    ...actions.flatMap((s, i) => [() => actionRun(api, s), () => floorPoller(api, s, occupiers[i])]),
    ...loops.map((s, i) => () => shellLoops(s, LOOP_SLEEPS_S[i]!))
  ]
  const measured = async () => {
    // Started STAGGER_MS apart: deployments starting their builds at once slow each
    // other's start (git ls-remote, the build service), which no real run meets.
    await Promise.all(jobs.map(async (job, i) => (await sleep(Math.floor(i / 2) * STAGGER_MS), job())))
    // The server logs an exchange just after answering it.
    await sleep(300)
  }
  await (point.busy ? withBusyCores(busyCores, measured) : measured())
  const log = loggedRequestsOf(
    api,
    [...actions, ...loops].map((s) => s.tool)
  )
  const loopSamples = (i: number) =>
    Array.from({ length: PHASES }, (_, phase) =>
      sampleOf(log, loops[i]!.tool, (r) => r.user_agent === loopReader(LOOP_SLEEPS_S[i]!, phase))
    )
  return {
    action: actions.map((s) => sampleOf(log, s.tool, isActions)),
    floor: actions.map((s) => sampleOf(log, s.tool, (r) => r.user_agent === FLOOR_READER)),
    'sleep 1': loopSamples(0),
    'sleep 10': loopSamples(1)
  }
}
