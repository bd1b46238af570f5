// Response bodies are untyped JSON, read freely in the assertions.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, test } from '@jest/globals'
import { BETA_WARNING, jsonProblem, SimulatedApi } from '../../dev/simulator/api.js'
import { pythonTime, type ScenarioName, type Timeline } from '../../dev/simulator/scenarios.js'
import { loadTraces } from '../../dev/bench/traces.js'

const TOKEN = 'sim-token'
const ENVELOPE = (error: string) => ({ messages: { info: [], warning: [BETA_WARNING], error: [error] } })

function world(scenario: ScenarioName | Timeline = 'success', upstream: 'current' | 'next' = 'current') {
  let time = Date.parse('2026-11-28T10:00:00Z')
  const api = new SimulatedApi({ token: TOKEN, scenario, now: () => time, upstream })
  const call = (method: string, url: string, body = '', headers: Record<string, string> = {}) => {
    const response = api.handle({ method, url, headers, body })
    return { status: response.status, body: JSON.parse(response.body) as Record<string, any> }
  }
  const create = (tool = 'mytool', query = '', body = '') =>
    call('POST', `/components/v1/tool/${tool}/deployment?token=${TOKEN}${query}`, body)
  const read = (id: string, tool = 'mytool', token = TOKEN) =>
    call('GET', `/components/v1/tool/${tool}/deployment/${id}?token=${token}`)
  return { api, call, create, read, advance: (ms: number) => (time += ms), at: () => time }
}

/** The sequence of distinct (status, builds, runs) a client polling every 10 ms would see. */
function walk(scenario: ScenarioName | Timeline, untilMs: number): string[] {
  const { create, read, advance } = world(scenario)
  const id = create().body.data.deploy_id as string
  const seen: string[] = []
  for (let t = 0; t <= untilMs; t += 10) {
    const data = read(id).body.data
    const line = [
      data.status ?? '-',
      Object.entries<any>(data.builds)
        .map(([n, b]) => `${n}:${b.build_status}`)
        .join(','),
      Object.entries<any>(data.runs)
        .map(([n, r]) => `${n}:${r.run_status}`)
        .join(',')
    ].join(' ')
    if (seen.at(-1) !== line) seen.push(line)
    advance(10)
  }
  return seen
}

describe('the simulated Components API', () => {
  test('the creation answer is the deployment as created, however far the clock moves while it is made', () => {
    let time = Date.parse('2026-11-28T10:00:00Z')
    // Each look at the clock is a second later: a loaded machine, or a fast time scale.
    const api = new SimulatedApi({ token: TOKEN, now: () => (time += 1_000) })
    const created = JSON.parse(
      api.handle({ method: 'POST', url: `/components/v1/tool/mytool/deployment?token=${TOKEN}`, headers: {}, body: '' })
        .body
    ) as Record<string, any>
    expect(created.data).not.toHaveProperty('status')
    expect([...new Set(Object.values<any>(created.data.builds).map((b) => b.build_status))]).toEqual(['pending'])
  })

  test('creation answers without status or long_status, with the real message only', () => {
    const { create } = world()
    const { status, body } = create('mytool', '&force-build=true', JSON.stringify({ description: 'why' }))
    expect(status).toBe(200)
    expect(body.messages).toEqual({ info: ['Deployment for mytool created successfully.'] })
    expect(Object.keys(body.data)).toEqual([
      'deploy_id',
      'creation_time',
      'description',
      'builds',
      'runs',
      'tool_config',
      'force_build',
      'force_run'
    ])
    expect(body.data).toMatchObject({ description: 'why', force_build: true, force_run: false })
    expect(body.data.builds.web).toEqual({ build_id: 'no-id-yet', build_status: 'pending' })
    expect(body.data.runs.web).toEqual({ run_status: 'pending' })
  })

  test('a deployment walks the real states: partial builds map, queue as unknown, a tick behind, runs one by one', () => {
    expect(walk('single', 7_000)).toEqual([
      '- web:pending web:pending',
      'running web:pending web:pending',
      'running web:unknown web:pending',
      'running web:running web:pending',
      'running web:successful web:pending',
      'successful web:successful web:successful'
    ])
    const success = walk('success', 12_000)
    expect(success.slice(0, 4)).toEqual([
      '- web:pending,worker:pending,cron:pending web:pending,worker:pending,cron:pending',
      'running web:pending,worker:pending,cron:pending web:pending,worker:pending,cron:pending',
      'running web:pending web:pending,worker:pending,cron:pending',
      'running web:pending,worker:pending,cron:skipped web:pending,worker:pending,cron:pending'
    ])
    expect(success.at(-1)).toBe(
      'successful web:successful,worker:successful,cron:skipped web:successful,worker:successful,cron:successful'
    )
  })

  test('state changes land on the task’s 2 s ticks, and the runs start one tick after the last build', () => {
    const { create, read, advance } = world({
      components: [{ name: 'web', build: { kind: 'source', queueMs: 0, buildMs: 3_000 } }]
    })
    const id = create().body.data.deploy_id as string
    const changes: Array<[number, string]> = []
    let last = ''
    for (let t = 0; t < 10_000; t += 10) {
      const data = read(id).body.data
      const line = `${data.status} ${data.builds.web.build_status} ${data.runs.web.run_status}`
      if (line !== last) changes.push([t, line])
      last = line
      advance(10)
    }
    const when = (line: string) => changes.find(([, l]) => l === line)![0]
    expect(when('running successful pending') - when('running running pending')).toBe(4_010)
    expect(when('successful successful successful') - when('running successful pending')).toBeGreaterThanOrEqual(2_000)
    expect(when('successful successful successful') - when('running successful pending')).toBeLessThan(2_100)
  })

  test('slow build and jobs services: a build starts after two calls (a reusable build looked for, then the build), a pass makes one per unfinished build, a run one', () => {
    const source = (name: string) => ({ name, build: { kind: 'source' as const, queueMs: 0, buildMs: 3_000 } })
    const { create, read, advance } = world({
      components: [source('web'), source('worker')],
      serviceLatency: { ms: 300 }
    })
    const id = create().body.data.deploy_id as string
    const firstSeen = new Map<string, number>()
    for (let t = 0; t < 15_000; t += 10) {
      const data = read(id).body.data
      // A build not started yet (no id) is marked `?`.
      const builds = Object.values<any>(data.builds).map(
        (b) => `${b.build_status}${b.build_id === 'no-id-yet' ? '?' : ''}`
      )
      const line = `${data.status} ${builds.join(',')} ${Object.values<any>(data.runs)
        .map((r) => r.run_status)
        .join(',')}`
      if (!firstSeen.has(line)) firstSeen.set(line, t)
      advance(10)
    }
    const when = (line: string) => firstSeen.get(line)!
    // The task starts 20 ms after creation; each build takes two calls of 300 ms to start.
    expect(when('running pending pending,pending')).toBeGreaterThanOrEqual(20 + 2 * 300)
    expect(
      when('running pending,pending pending,pending') - when('running pending pending,pending')
    ).toBeGreaterThanOrEqual(2 * 300)
    // A pass over two running builds: 2 s of sleep and a call for each.
    expect(
      when('running successful,successful pending,pending') - when('running successful,running pending,pending')
    ).toBeGreaterThanOrEqual(300)
    expect(
      when('running successful,successful successful,pending') - when('running successful,successful pending,pending')
    ).toBeGreaterThanOrEqual(2_000 + 300)
    expect(
      when('successful successful,successful successful,successful') -
        when('running successful,successful successful,pending')
    ).toBeGreaterThanOrEqual(300)
  })

  test('its ticks come as often as the real server’s: the recorded traces’ periods, to a few milliseconds', () => {
    /** From the first read showing every build running to the first showing them done: n ticks of one period. */
    const period = (runningAt: number, doneAt: number) =>
      (doneAt - runningAt) / Math.round((doneAt - runningAt) / 2_000)
    const real = loadTraces()
      // Thirty ticks and more: a read's own spread is then a fraction of a millisecond per tick.
      .filter((trace) => trace.components === 2 && trace.buildS >= 60 && trace.latencyMs === 0)
      .map((trace) => {
        const states = trace.states.map((s) => ({
          ms: s.ms,
          builds: Object.values((s.body as any).data.builds).map((b: any) => b.build_status)
        }))
        const running = states.find((s) => s.builds.length === 2 && s.builds.every((b) => b === 'running'))!
        const done = states.find(
          (s) => s.builds.length === 2 && s.builds.every((b) => b === 'successful' || b === 'failed')
        )!
        return period(running.ms, done.ms)
      })
    expect(real.length).toBeGreaterThanOrEqual(3)
    const seen = (line: string, changes: Array<[number, string]>) => changes.find(([, l]) => l === line)![0]
    const { create, read, advance } = world({
      components: ['web', 'worker'].map((name) => ({ name, build: { kind: 'source', queueMs: 0, buildMs: 60_000 } }))
    })
    const id = create().body.data.deploy_id as string
    const changes: Array<[number, string]> = []
    for (let t = 0; t < 70_000; t += 5) {
      const line = Object.values<any>(read(id).body.data.builds)
        .map((b) => b.build_status)
        .join(',')
      if (changes.at(-1)?.[1] !== line) changes.push([t, line])
      advance(5)
    }
    const simulated = period(seen('running,running', changes), seen('successful,successful', changes))
    expect(simulated).toBeGreaterThanOrEqual(Math.min(...real) - 3)
    expect(simulated).toBeLessThanOrEqual(Math.max(...real) + 3)
  })

  test('a build waiting in the queue shows unknown for as long as it waits', () => {
    const seen = walk('build-queue', 95_000)
    expect(seen.filter((line) => line.includes('web:unknown,worker:unknown'))).toHaveLength(1)
    expect(seen.at(-1)).toContain('web:running,worker:running')
  })

  test('reused and reuse_from builds are skipped, with the old id and image or no-build-needed', () => {
    const { create, read, advance } = world('reused-builds')
    const id = create().body.data.deploy_id as string
    advance(2_000)
    const data = read(id).body.data
    expect(data.status).toBe('successful')
    expect(data.builds.web).toMatchObject({ build_status: 'skipped', build_long_status: 'Reusing existing build' })
    expect(data.builds.web.build_id).toMatch(/^mytool-buildpacks-pipelinerun-[a-z0-9]{5}$/)
    expect(data.builds.web.build_image).toMatch(
      /^tools-harbor\.wmcloud\.org\/tool-mytool\/web:latest@sha256:[0-9a-f]{64}$/
    )
    expect(data.builds.cron).toEqual({
      build_id: 'no-build-needed',
      build_status: 'skipped',
      build_long_status: 'Component re-uses build from web'
    })
    expect(data.runs.web.run_long_status).toBe('job web is already up to date, [info](Job web is already up to date)')
  })

  test('a failed build says only where its log is; the deployment fails and the runs are skipped', () => {
    const { create, read, advance } = world('build-failure')
    const id = create().body.data.deploy_id as string
    advance(12_000)
    const data = read(id).body.data
    const buildId = data.builds.worker.build_id
    expect(data.builds.worker).toEqual({
      build_id: buildId,
      build_status: 'failed',
      build_image: 'tools-harbor.wmcloud.org/tool-mytool/worker:latest',
      build_long_status: `You can see the logs with \`toolforge build logs ${buildId}\``
    })
    expect(data.status).toBe('failed')
    expect(data.long_status).toBe(
      `Got exception: Some builds failed, you can check the build logs for more info: worker(id:${buildId})`
    )
    expect(data.runs.web).toEqual({ run_status: 'skipped', run_long_status: 'Skipped due to previous failure' })
  })

  test('a run the jobs service refuses fails the deployment with its text; later runs are skipped', () => {
    const { create, read, advance } = world('run-failure')
    const id = create().body.data.deploy_id as string
    advance(12_000)
    const data = read(id).body.data
    expect(data.runs.web.run_long_status).toBe(
      'created or updated job web, [info](Job web created in storage and runtime)'
    )
    expect(data.runs.cron).toEqual({
      run_status: 'failed',
      run_long_status:
        "400 Client Error: Bad Request for url: https://api.svc.tools.eqiad1.wikimedia.cloud/jobs/v1/tool/mytool/jobs/ (400): Unable to parse cron expression 'every day at noon'"
    })
    expect(data.runs.worker).toEqual({ run_status: 'skipped', run_long_status: 'Skipped due to previous failure' })
    expect(data.long_status).toBe(`Got exception: Failed run for component cron: ${data.runs.cron.run_long_status}`)
  })

  test('long statuses carry Python’s timestamps', () => {
    const { create, read, advance, at } = world('single')
    const created = at()
    const id = create().body.data.deploy_id as string
    advance(100)
    expect(read(id).body.data.long_status).toBe(`Started at ${pythonTime(new Date(created + 20))}`)
    expect(pythonTime(new Date('2026-11-28T06:45:37.123Z'))).toBe('2026-11-28 06:45:37.123000+00:00')
  })

  test('a maintainer’s cancel: cancelling until the task’s next check, then cancelled; a queued build stays unknown', () => {
    const { api, create, read, advance, call } = world('cancelled')
    const id = create().body.data.deploy_id as string
    advance(2_600)
    expect(read(id).body.data.status).toBe('cancelling')
    expect(call('POST', `/components/v1/tool/mytool/deployment?token=${TOKEN}`).status).toBe(200)
    advance(4_000)
    const data = read(id).body.data
    expect(data).toMatchObject({ status: 'cancelled', long_status: 'Deployment was cancelled' })
    expect(data.builds.web.build_status).toBe('cancelled')
    expect(data.builds.worker.build_status).toBe('unknown')
    expect(data.runs.web).toEqual({ run_status: 'skipped', run_long_status: 'The deployment was cancelled' })
    expect(api.cancel('mytool', id)).toMatchObject({ status: 409 })
  })

  test('PUT …/cancel needs the gateway header, and answers as upstream does', () => {
    const { create, call } = world('slow-builds')
    const id = create().body.data.deploy_id as string
    expect(call('PUT', `/components/v1/tool/mytool/deployment/${id}/cancel?token=${TOKEN}`)).toEqual({
      status: 401,
      body: ENVELOPE("The 'x-toolforge-tool' header is required")
    })
    const cancelled = call('PUT', `/components/v1/tool/mytool/deployment/${id}/cancel`, '', {
      'x-toolforge-tool': 'mytool'
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.messages).toEqual({
      info: ['Deployment flagged for cancellation, might take a moment to cancel.']
    })
    expect(cancelled.body.data.status).toBe('cancelling')
  })

  test('Toolforge’s own time limit: timed_out on the next read, the long status unchanged', () => {
    const { create, read, advance } = world('timed-out')
    const id = create().body.data.deploy_id as string
    advance(3_100)
    expect(read(id).body.data).toMatchObject({
      status: 'timed_out',
      long_status: expect.stringMatching(/^Started at /)
    })
  })

  test('the real 401 texts, echoing the token as the real service does', () => {
    const { api, call, create } = world()
    expect(call('POST', '/components/v1/tool/mytool/deployment')).toEqual({
      status: 401,
      body: ENVELOPE("The 'x-toolforge-tool' header or a token are required")
    })
    expect(call('POST', '/components/v1/tool/mytool/deployment?token=nope').body).toEqual(
      ENVELOPE("The token passed 'nope' does not match the tool's token")
    )
    api.setToolToken('mytool', { kind: 'expired', token: TOKEN })
    expect(create().body).toEqual(ENVELOPE(`The token passed '${TOKEN}' has expired, please create a new one`))
    api.setToolToken('other', { kind: 'none' })
    expect(create('other').body).toEqual(
      ENVELOPE("The tool 'other' has no deploy token yet, you have to create one before using it")
    )
  })

  test('404 and 405 in the API’s own envelope, for unknown ids, tools without config, routes and methods', () => {
    const { api, call, create, read } = world()
    expect(read('20250703-075322-5zxh2hip26')).toEqual({
      status: 404,
      body: ENVELOPE('Deployment 20250703-075322-5zxh2hip26 not found for tool: mytool')
    })
    api.removeConfig('mytool')
    expect(create()).toEqual({ status: 404, body: ENVELOPE('No configuration found for tool: mytool') })
    expect(call('GET', '/components/v1/nowhere')).toEqual({ status: 404, body: ENVELOPE('Not Found') })
    expect(call('PATCH', `/components/v1/tool/mytool/deployment?token=${TOKEN}`)).toEqual({
      status: 405,
      body: ENVELOPE('Method Not Allowed')
    })
    expect(call('GET', `/components/v1/tool/mytool/deployment?token=${TOKEN}`)).toEqual({
      status: 401,
      body: ENVELOPE("The 'x-toolforge-tool' header is required")
    })
  })

  test('409 counts only pending and running deployments', () => {
    const { api, create, advance } = world('slow-builds')
    const first = create().body.data.deploy_id as string
    expect(create()).toEqual({
      status: 409,
      body: ENVELOPE("There's already 1 running, the limit is 1. Wait for it to finish for now.")
    })
    expect(create('othertool').status).toBe(200)
    advance(1_000)
    api.cancel('mytool', first)
    expect(create().status).toBe(200)
  })

  test('422: a malformed body before the token is checked, parameters after it, in upstream’s words', () => {
    const { create, call } = world()
    expect(jsonProblem('{"a": [1, 2,, 3]}')).toBe('Invalid JSON at position 12: Expecting value')
    expect(jsonProblem('{"a" 1}')).toBe("Invalid JSON at position 5: Expecting ':' delimiter")
    expect(jsonProblem('{"a": "b')).toBe('Invalid JSON at position 6: Unterminated string starting at')
    expect(jsonProblem('{} x')).toBe('Invalid JSON at position 3: Extra data')
    expect(jsonProblem('{"a": [true, null, -1.5e3, "\\"x"]}')).toBe('')
    expect(call('POST', '/components/v1/tool/mytool/deployment?token=wrong', '{"description": }')).toEqual({
      status: 422,
      body: ENVELOPE('Invalid JSON at position 16: Expecting value')
    })
    expect(call('POST', '/components/v1/tool/mytool/deployment?token=wrong&force-build=maybe').status).toBe(401)
    expect(create('mytool', '&force-build=maybe').body).toEqual(
      ENVELOPE(
        "Validation error at force-build: Input should be a valid boolean, unable to interpret input. Received value: 'maybe'"
      )
    )
    expect(create('mytool', '', JSON.stringify({ description: 42 })).body).toEqual(
      ENVELOPE("Validation error at description: Input should be a valid string. Received value: '42'")
    )
    expect(create('mytool', '', 'null').status).toBe(200)
  })

  test('keeps the last 25 deployments of a tool', () => {
    const { api, create, read, advance } = world('single')
    const ids: string[] = []
    for (let i = 0; i < 27; i++) {
      ids.push(create().body.data.deploy_id)
      advance(10_000)
    }
    expect(api.deploymentsOf('mytool')).toHaveLength(25)
    expect(read(ids[0]!).status).toBe(404)
    expect(read(ids[26]!).status).toBe(200)
  })
})

describe("upstream's next version (--upstream next)", () => {
  test('a second deployment waits in the queue, with no status, until the queue pass after the first one ends', () => {
    const { api, create, read, advance, at } = world('single', 'next')
    const first = create().body.data.deploy_id as string
    const second = create()
    expect(second.status).toBe(200)
    const id = second.body.data.deploy_id as string
    expect(second.body.data.creation_time).toBe('2026-11-28T10:00:00Z')
    advance(3_000)
    expect(read(id).body.data).not.toHaveProperty('status')
    expect(read(id).body.data.builds.web).toEqual({ build_id: 'no-id-yet', build_status: 'pending' })
    expect(read(first).body.data.status).toBe('running')
    // The queue loop looks every 5 s from the creation on: the pass after the first one ends starts the second.
    const created = at() - 3_000
    const firstEnds = api.deploymentsOf('mytool')[0]!.finalAt
    const pass = created + Math.ceil((firstEnds - created) / 5_000) * 5_000
    advance(pass - at() - 10)
    expect(read(first).body.data.status).toBe('successful')
    expect(read(id).body.data).not.toHaveProperty('status')
    advance(50)
    expect(read(id).body.data.status).toBe('running')
  })

  test('past 20 active deployments, a 409 in the new wording', () => {
    const { create } = world('slow-builds', 'next')
    for (let i = 0; i < 20; i++) expect(create().status).toBe(200)
    expect(create().body).toEqual(
      ENVELOPE(
        "There's already 20, the limit is 20. Wait for some deployments to finish. You can also cancel some deployments"
      )
    )
  })

  test('the queued scenario waits 20 s on the current server too, as if behind another deployment', () => {
    const { create, read, advance } = world('queued')
    const id = create().body.data.deploy_id as string
    advance(19_900)
    expect(read(id).body.data).not.toHaveProperty('status')
    advance(200)
    expect(read(id).body.data.status).toBe('running')
  })
})
