// Response bodies are untyped JSON, read freely here.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import type { ComponentSpec, RealApi } from '../../dev/real-api/real-api.js'
import type { Timeline } from '../../dev/simulator/scenarios.js'
import { ToolforgeSimulator } from '../../dev/simulator/server.js'
import { CRON, QUEUES, toolName, UPSTREAM, useRealApi, WEB, WORKER } from '../helpers/real-api.js'

/**
 * The simulator must answer as the real server does. Each case runs against both, the
 * answers are reduced to what a client can rely on (status codes, envelope keys, the
 * fields present in each state, each component's sequence of states, the texts with ids,
 * times and addresses taken out, the pause before the runs), and the two must be equal.
 */

const realApi = useRealApi()
let sim: ToolforgeSimulator
let simUrl: string
beforeAll(async () => {
  sim = new ToolforgeSimulator({ token: 'unused-default-token', upstream: UPSTREAM === 'next' ? 'next' : 'current' })
  simUrl = await sim.listen(0)
})
afterAll(() => sim.close())

const FINAL = new Set(['successful', 'failed', 'timed_out', 'cancelled'])

interface Side {
  url: string
  tool: string
  token: string
}

interface Seen {
  ms: number
  body: any
}

/** Creates a deployment and reads it every 10 ms (50 ms after the first 2 s) until it is final. */
async function follow(
  side: Side,
  during?: (seen: Seen, id: string) => Promise<void>
): Promise<{ created: any; reads: Seen[] }> {
  const base = `${side.url}/components/v1/tool/${side.tool}/deployment`
  const created = await (await fetch(`${base}?token=${side.token}`, { method: 'POST' })).json()
  const id = (created as any).data.deploy_id as string
  const started = Date.now()
  const reads: Seen[] = []
  let finalAt: number | undefined
  for (;;) {
    const body = await (await fetch(`${base}/${id}?token=${side.token}`)).json()
    const seen = { ms: Date.now() - started, body }
    reads.push(seen)
    await during?.(seen, id)
    // The final status can show a moment before the rest of the final state (a cancel
    // marks the builds and runs after the status): read on a little.
    finalAt ??= FINAL.has((body as any).data?.status) ? seen.ms : undefined
    if ((finalAt !== undefined && seen.ms - finalAt > 300) || seen.ms > 60_000) return { created, reads }
    await new Promise((r) => setTimeout(r, seen.ms < 2_000 ? 10 : 50))
  }
}

/** Texts with what differs between any two deployments taken out. */
function normalise(text: string | undefined, side: Side): string | undefined {
  return text
    ?.split(side.tool)
    .join('<tool>')
    .replace(/<tool>-buildpacks-pipelinerun-[a-z0-9]{5}/g, '<build-id>')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00/g, '<time>')
    .replace(/@sha256:[0-9a-f]{64}/g, '@sha256:<digest>')
    .replace(/for url: \S+\/jobs\/v1\//g, 'for url: <jobs-service>/jobs/v1/')
}

const dedup = (items: string[]) => items.filter((item, i) => i === 0 || item !== items[i - 1])
const keys = (value: object | undefined) => Object.keys(value ?? {}).join(',')

/**
 * The states that lasted at least 100 ms: what a client checking ten times a second can
 * rely on seeing. (The real server answers slower when busy, so shorter states are seen
 * or missed by chance.) The final state always counts.
 */
function lasting(reads: Seen[]): Seen[] {
  const signature = (r: Seen) => JSON.stringify([r.body.data.status, r.body.data.builds, r.body.data.runs])
  const kept: Seen[] = []
  let start = 0
  for (let i = 1; i <= reads.length; i++) {
    if (i < reads.length && signature(reads[i]!) === signature(reads[start]!)) continue
    const until = i < reads.length ? reads[i]!.ms : Infinity
    if (until - reads[start]!.ms >= 100) kept.push(...reads.slice(start, i))
    start = i
  }
  return kept
}

function reduce(run: { created: any; reads: Seen[] }, side: Side, c: Case) {
  const components = Object.keys(run.created.data.builds)
  // While builds start and are first checked (a few hundred ms, longer when the server is
  // busy, each build changing on its own) what a reader catches is chance: the partial
  // map of that moment is the simulator unit test's, on a virtual clock. From then on,
  // every lasting state.
  const settled = run.reads.findIndex((r) => {
    const builds = Object.values<any>(r.body.data.builds)
    return builds.length === components.length && builds.every((b) => b.build_status !== 'pending')
  })
  const reads = lasting(run.reads.slice(settled))
  const datas = reads.map((r) => r.body.data)
  // A build waits 1 s in the queue by default: whether the task's 2 s pass falls inside
  // that second, and shows it as unknown, is the machine's timing, not behaviour. Only a
  // queue longer than a pass is always seen.
  const queueSeen = (c.timings?.build_pending_s ?? 1) > 2.1
  const shown = (build: any) => queueSeen || build.build_status !== 'unknown'
  const fields: Record<string, Set<string>> = {}
  const texts: Record<string, Set<string>> = {}
  const note = (map: Record<string, Set<string>>, key: string, value: string | undefined) => {
    if (value !== undefined) (map[key] ??= new Set()).add(value)
  }
  for (const data of datas) {
    note(fields, `deployment ${data.status ?? '(absent)'}`, keys(data))
    note(
      texts,
      `deployment ${data.status}`,
      normalise(data.long_status, side)?.replace(/^Started at <time>$/, 'Started at <time>')
    )
    for (const [name, build] of Object.entries<any>(data.builds).filter(([, b]) => shown(b))) {
      note(fields, `build ${build.build_status}`, keys(build))
      note(texts, `build ${build.build_status}`, normalise(build.build_long_status, side))
      note(
        texts,
        `image ${build.build_status}`,
        normalise(build.build_image, side)?.replace(`/${name}:`, '/<component>:')
      )
    }
    for (const run of Object.values<any>(data.runs)) {
      note(fields, `run ${run.run_status}`, keys(run))
      note(
        texts,
        `run ${run.run_status}`,
        normalise(run.run_long_status, side)
          ?.replace(/job \w+/g, 'job <c>')
          .replace(/Job \w+/g, 'Job <c>')
      )
    }
  }
  const sorted = (map: Record<string, Set<string>>) =>
    Object.fromEntries(
      Object.entries(map)
        .map(([k, v]) => [k, [...v].sort()])
        .sort()
    )
  const buildsDone = reads.find((r) =>
    Object.values<any>(r.body.data.builds).every((b) => !['pending', 'unknown', 'running'].includes(b.build_status))
  )
  const final = reads.at(-1)!
  return {
    created: {
      messages: normalise(JSON.stringify(run.created.messages), side),
      data: keys(run.created.data),
      builds: [...new Set(Object.values<any>(run.created.data.builds).map(keys))],
      runs: [...new Set(Object.values<any>(run.created.data.runs).map(keys))]
    },
    readMessages: [...new Set(reads.map((r) => JSON.stringify(r.body.messages)))],
    statuses: dedup(datas.map((d) => d.status).filter((s) => s !== undefined)),
    builds: Object.fromEntries(
      components.map((c) => [
        c,
        dedup(
          datas
            .filter((d) => !d.builds[c] || shown(d.builds[c]))
            .map((d) => d.builds[c]?.build_status ?? '(not in the map)')
        )
      ])
    ),
    runs: Object.fromEntries(components.map((c) => [c, dedup(datas.map((d) => d.runs[c]?.run_status))])),
    fields: sorted(fields),
    texts: sorted(texts),
    // The task's last pause before the runs: a tick, whatever the server.
    runsAfterBuildsAfterATick:
      buildsDone && final.body.data.status === 'successful' ? final.ms - buildsDone.ms >= 1_500 : 'n/a'
  }
}

interface Case {
  name: string
  real: Record<string, ComponentSpec>
  timings?: { build_pending_s?: number; build_running_s?: number }
  simulated: Timeline
  /** Deploy once before the compared deployment (to make builds reusable). */
  deployBefore?: boolean
  cancelWhenRunning?: boolean
}

const src = (queueMs: number, buildMs: number, fails = false) => ({ kind: 'source' as const, queueMs, buildMs, fails })

const CASES: Case[] = [
  {
    name: 'a deployment with a reuse_from component',
    real: { web: WEB, api: WORKER, worker: WORKER, cron: CRON },
    simulated: {
      components: [
        { name: 'web', build: src(1_000, 3_000) },
        { name: 'api', build: src(1_000, 3_000) },
        { name: 'worker', build: src(1_000, 3_000) },
        { name: 'cron', type: 'scheduled', build: { kind: 'reuse-from', from: 'web' } }
      ]
    }
  },
  {
    name: 'a redeploy that reuses the builds',
    real: { web: WEB, cron: CRON },
    deployBefore: true,
    simulated: {
      components: [
        { name: 'web', build: { kind: 'reused' }, run: { job: 'unchanged' } },
        { name: 'cron', type: 'scheduled', build: { kind: 'reuse-from', from: 'web' }, run: { job: 'unchanged' } }
      ]
    }
  },
  {
    name: 'a build failure',
    real: { web: WEB, worker: { ...WORKER, ref: 'broken' } },
    simulated: {
      components: [
        { name: 'web', build: src(1_000, 3_000) },
        { name: 'worker', build: src(1_000, 3_000, true) }
      ]
    }
  },
  {
    name: 'a run the jobs service refuses',
    real: {
      web: WEB,
      cron: { ...CRON, run: { command: 'python cleanup.py', schedule: 'every day at noon' } },
      later: WORKER
    },
    simulated: {
      components: [
        { name: 'web', build: src(1_000, 3_000) },
        {
          name: 'cron',
          type: 'scheduled',
          build: { kind: 'reuse-from', from: 'web' },
          run: { fails: "Unable to parse cron expression 'every day at noon'" }
        },
        { name: 'later', build: src(1_000, 3_000) }
      ]
    }
  },
  {
    name: 'builds waiting 5 s in the build queue',
    real: { web: WEB },
    timings: { build_pending_s: 5, build_running_s: 2 },
    simulated: { components: [{ name: 'web', build: src(5_000, 2_000) }] }
  },
  {
    name: 'a maintainer cancelling while the builds run',
    real: { web: WEB, worker: WORKER },
    timings: { build_running_s: 30 },
    cancelWhenRunning: true,
    simulated: {
      components: [
        { name: 'web', build: src(1_000, 30_000) },
        { name: 'worker', build: src(1_000, 30_000) }
      ]
    }
  }
]

async function runCase(c: Case, side: Side, api: RealApi | ToolforgeSimulator) {
  let cancelled = false
  const during = async (seen: Seen, id: string) => {
    if (
      !c.cancelWhenRunning ||
      cancelled ||
      !Object.values<any>(seen.body.data.builds).every((b) => b.build_status === 'running')
    )
      return
    cancelled = true
    const answer =
      api instanceof ToolforgeSimulator
        ? api.api.cancel(side.tool, id)
        : await api.asMaintainer(side.tool, 'PUT', `/deployment/${id}/cancel`)
    expect(answer.status).toBe(200)
  }
  return reduce(await follow(side, during), side, c)
}

describe(`the simulator answers as the real Components API does (upstream ${UPSTREAM})`, () => {
  test.concurrent.each(CASES.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const api = realApi()
      const tool = toolName('diff')
      const token = await api.seedTool(tool, c.real)
      if (c.timings) await api.setToolTimings(tool, c.timings)
      const simTool = toolName('diff')
      sim.api.setToolToken(simTool, { kind: 'token', token })
      const real: Side = { url: api.apiUrl, tool, token }
      const simulated: Side = { url: simUrl, tool: simTool, token }
      if (c.deployBefore) {
        await follow(real)
        sim.api.setScenario(simTool, { components: [{ name: 'web', build: src(1_000, 3_000) }] })
        await follow(simulated)
      }
      sim.api.setScenario(simTool, c.simulated)
      const [fromReal, fromSim] = await Promise.all([runCase(c, real, api), runCase(c, simulated, sim)])
      expect(fromSim).toEqual(fromReal)
    },
    90_000
  )

  test.concurrent(
    'errors: the same status codes, envelopes and texts, checked in the same order',
    async () => {
      const api = realApi()
      const tool = toolName('err')
      const token = await api.seedTool(tool, { web: WEB })
      const noConfig = toolName('err')
      const noConfigToken = await api.createToken(noConfig)
      const noToken = toolName('err')
      const wrong = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'
      const simTool = toolName('err')
      const simNoConfig = toolName('err')
      const simNoToken = toolName('err')
      sim.api.setToolToken(simTool, { kind: 'token', token })
      sim.api.setToolToken(simNoConfig, { kind: 'token', token: noConfigToken })
      sim.api.removeConfig(simNoConfig)
      sim.api.setToolToken(simNoToken, { kind: 'none' })
      sim.api.setScenario(simTool, { components: [{ name: 'web', build: src(1_000, 30_000) }] })
      await api.setToolTimings(tool, { build_running_s: 30 })

      const requests = (
        t: string,
        nc: string,
        nt: string,
        ncToken: string
      ): Array<[string, string, string?, Record<string, string>?]> => [
        ['POST', `/tool/${t}/deployment`],
        ['POST', `/tool/${t}/deployment?token=${wrong}`],
        ['POST', `/tool/${nt}/deployment?token=${wrong}`],
        ['POST', `/tool/${nc}/deployment?token=${ncToken}`],
        ['GET', `/tool/${t}/deployment/20200101-000000-aaaaaaaaaa?token=${token}`],
        ['GET', `/tool/${t}/deployment?token=${token}`],
        ['GET', `/tool/${t}/deployment/latest?token=${token}`],
        ['PUT', `/tool/${t}/deployment/20200101-000000-aaaaaaaaaa/cancel?token=${token}`],
        ['PATCH', `/tool/${t}/deployment?token=${token}`],
        ['GET', `/nowhere`],
        ['POST', `/tool/${t}/deployment?token=${wrong}`, '{"description": }'],
        ['POST', `/tool/${t}/deployment?token=${wrong}&force-build=maybe`],
        ['POST', `/tool/${t}/deployment?token=${token}&force-build=maybe`],
        ['POST', `/tool/${t}/deployment?token=${token}`, '{"description": 42}'],
        ['POST', `/tool/${t}/deployment?token=${token}`, '{"description": "first"}'],
        ['POST', `/tool/${t}/deployment?token=${token}`],
        // A cancelling deployment no longer counts against the limit.
        ['WAIT', '100'],
        ['PUT', `/tool/${t}/deployment/latest/cancel`, undefined, { 'x-toolforge-tool': t }],
        ['POST', `/tool/${t}/deployment?token=${token}`]
      ]
      const ask = async (url: string, side: Side, list: ReturnType<typeof requests>) => {
        const answers: string[] = []
        for (const [method, path, body, headers = {}] of list) {
          if (method === 'WAIT') {
            await new Promise((r) => setTimeout(r, Number(path)))
            continue
          }
          const response = await fetch(`${url}/components/v1${path}`, {
            method,
            body,
            headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }
          })
          const text = (await response.text()).split(wrong).join('<wrong>')
          const json = JSON.parse(text)
          if (json.data)
            answers.push(
              `${method} → ${response.status} data:${keys(json.data)} messages:${normalise(JSON.stringify(json.messages), side)}`
            )
          else
            answers.push(
              `${method} → ${response.status} ${normalise(text, side)!.split(noConfig).join('<nc>').split(noToken).join('<nt>').split(simNoConfig).join('<nc>').split(simNoToken).join('<nt>')}`
            )
        }
        return answers
      }
      const real = await ask(
        api.apiUrl,
        { url: api.apiUrl, tool, token },
        requests(tool, noConfig, noToken, noConfigToken)
      )
      const simulated = await ask(
        simUrl,
        { url: simUrl, tool: simTool, token },
        requests(simTool, simNoConfig, simNoToken, noConfigToken)
      )
      expect(simulated).toEqual(real)
      // The next server queues the second deployment where the current one refuses it.
      expect(real.slice(-3)).toEqual([
        expect.stringMatching(QUEUES ? /^POST → 200 / : /^POST → 409 /),
        expect.stringMatching(/^PUT → 200 /),
        expect.stringMatching(/^POST → 200 /)
      ])
    },
    30_000
  )
})
