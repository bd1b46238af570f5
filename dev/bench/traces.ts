/**
 * State traces of real deployments: every distinct answer the real Components API gave
 * while a deployment ran, with its time after creation. `npm run bench:record` records
 * them from the real server into dev/bench/traces/; the benchmark replays them in virtual
 * time, so that the action's pace is measured on timelines that really happen.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ApiError } from '../../src/engine/api-error.js'
import type { Clock } from '../../src/engine/clock.js'
import type { ApiResponse, ToolforgeApi } from '../../src/engine/toolforge-client.js'
import { parseDeployment, parseMessages } from '../../src/engine/toolforge-types.js'
import { ROOT } from '../support/project-root.js'
import type { ComponentSpec, RealApi } from '../real-api/real-api.js'

export interface Trace {
  name: string
  /** Which stand-in build and jobs services ran behind the server (sweep.ts), and how slowly they answered. */
  standIns: 'shared' | 'project'
  latencyMs: number
  jitterMs: number
  /** What the server was asked to do. */
  components: number
  queueS: number
  buildS: number
  /** The creation's answer, then each distinct later answer with its time after creation. */
  created: unknown
  states: Array<{ ms: number; body: unknown }>
}

export const TRACES_DIR = join(ROOT, 'dev', 'bench', 'traces')

const FINAL = new Set(['successful', 'failed', 'timed_out', 'cancelled'])

export interface TracePlan {
  name: string
  components: number
  queueS: number
  buildS: number
  failing?: boolean
}

/** How often the recorder reads: often enough to place each change, seldom enough not to slow the server's passes. */
const READ_EVERY_MS = 50

/** Deploys on the real server and reads the deployment every READ_EVERY_MS until it is final. */
export async function recordTrace(
  api: RealApi,
  spec: TracePlan,
  where: Pick<Trace, 'standIns' | 'latencyMs' | 'jitterMs'>
): Promise<Trace> {
  const name = spec.name
  const tool = `${where.standIns[0]}-${name}`.replace(/[^a-z0-9-]/g, '-').slice(0, 40)
  const components: Record<string, ComponentSpec> = {}
  for (let i = 0; i < spec.components; i++)
    components[i === 0 ? 'web' : `worker${i}`] = { ref: spec.failing && i === spec.components - 1 ? 'broken' : 'main' }
  const token = await api.seedTool(tool, components)
  await api.setToolTimings(tool, { build_pending_s: spec.queueS, build_running_s: spec.buildS })
  const base = `${api.apiUrl}/components/v1/tool/${tool}/deployment`
  const started = Date.now()
  const created = (await (await fetch(`${base}?token=${token}`, { method: 'POST' })).json()) as {
    data: { deploy_id: string }
  }
  const states: Trace['states'] = []
  let last = ''
  for (;;) {
    const text = await (await fetch(`${base}/${created.data.deploy_id}?token=${token}`)).text()
    const ms = Date.now() - started
    if (text !== last) states.push({ ms, body: JSON.parse(text.split(token).join('<token>')) })
    last = text
    if (FINAL.has((JSON.parse(text) as { data: { status?: string } }).data.status ?? '')) break
    await new Promise((r) => setTimeout(r, READ_EVERY_MS))
  }
  return { name, ...where, components: spec.components, queueS: spec.queueS, buildS: spec.buildS, created, states }
}

/** Every recorded trace, those of the shared stand-ins first, each set in name order. */
export function loadTraces(): Trace[] {
  return (['shared', 'project'] as const).flatMap((set) => {
    const dir = join(TRACES_DIR, set)
    if (!existsSync(dir)) return []
    return readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Trace)
  })
}

/** When the trace's final status is first seen. */
export function traceFinalMs(trace: Trace): number {
  return trace.states.find((s) => FINAL.has((s.body as { data: { status?: string } }).data.status ?? ''))!.ms
}

function answer(body: unknown): Promise<ApiResponse> {
  const deployment = parseDeployment((body as { data?: unknown }).data)
  if (!deployment)
    return Promise.reject(new ApiError('bad-response', 'no deployment in the trace', { reachedServer: true }))
  return Promise.resolve({ deployment, messages: parseMessages(body), status: 200, retryAfterMs: undefined })
}

/** The Components API as the trace recorded it, on a virtual clock started at creation. */
export function traceApi(trace: Trace, clock: Clock): ToolforgeApi {
  const createdAt = clock.now()
  return {
    createDeployment: () => answer(trace.created),
    getDeployment: () => {
      const elapsed = clock.now() - createdAt
      let current = trace.states[0]!
      for (const state of trace.states) if (state.ms <= elapsed) current = state
      return answer(elapsed < trace.states[0]!.ms ? trace.created : current.body)
    },
    dispose: () => {}
  }
}
