// Response bodies are untyped JSON, read freely in the assertions.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, test } from '@jest/globals'
import { BETA_WARNING, SimulatedApi } from '../../simulator/api.js'
import type { ScenarioName } from '../../simulator/scenarios.js'

const TOKEN = 'sim-token'
const BUILD_STATES = ['pending', 'running', 'failed', 'successful', 'unknown', 'skipped', 'cancelled']
const RUN_STATES = ['pending', 'failed', 'successful', 'skipped', 'unknown']
const DEPLOYMENT_STATES = ['pending', 'running', 'failed', 'timed_out', 'successful', 'cancelling', 'cancelled']

function world(scenario: ScenarioName = 'success') {
  let time = Date.parse('2026-11-28T10:00:00Z')
  const api = new SimulatedApi({ token: TOKEN, scenario, now: () => time })
  const call = (method: string, url: string, body = '') => {
    const response = api.handle({ method, url, headers: {}, body })
    return { status: response.status, body: JSON.parse(response.body) as Record<string, any> }
  }
  const create = (tool = 'mytool', query = '', body = '') => call('POST', `/components/v1/tool/${tool}/deployment?token=${TOKEN}${query}`, body)
  const read = (id: string, tool = 'mytool', token = TOKEN) => call('GET', `/components/v1/tool/${tool}/deployment/${id}?token=${token}`)
  return { api, call, create, read, advance: (ms: number) => (time += ms) }
}

function expectDeploymentShape(data: Record<string, any>) {
  expect(data.deploy_id).toMatch(/^\d{8}-\d{6}-[a-z0-9]{10}$/)
  expect(data.creation_time).toMatch(/^\d{8}-\d{6}$/)
  expect(DEPLOYMENT_STATES).toContain(data.status)
  expect(typeof data.long_status).toBe('string')
  expect(typeof data.description).toBe('string')
  expect(typeof data.force_build).toBe('boolean')
  expect(typeof data.force_run).toBe('boolean')
  for (const build of Object.values<Record<string, unknown>>(data.builds)) {
    expect(BUILD_STATES).toContain(build.build_status)
    expect(typeof build.build_id).toBe('string')
    expect(typeof build.build_image).toBe('string')
    expect(typeof build.build_long_status).toBe('string')
  }
  for (const run of Object.values<Record<string, unknown>>(data.runs)) {
    expect(RUN_STATES).toContain(run.run_status)
    expect(typeof run.run_long_status).toBe('string')
  }
  expect(data.tool_config.config_version).toBe('v1beta1')
  for (const component of Object.values<Record<string, any>>(data.tool_config.components)) {
    expect(component.build.repository).toMatch(/^https:\/\//)
    expect(typeof component.build.ref).toBe('string')
    expect(typeof component.run.command).toBe('string')
  }
}

describe('the simulated Components API', () => {
  test('creates a pending deployment in the documented envelope', () => {
    const { create } = world()
    const { status, body } = create('mytool', '&force-build=true', JSON.stringify({ description: 'why' }))
    expect(status).toBe(200)
    expect(body.messages).toEqual({ info: [], warning: [BETA_WARNING], error: [] })
    expectDeploymentShape(body.data)
    expect(body.data).toMatchObject({ status: 'pending', description: 'why', force_build: true, force_run: false })
    expect(Object.values<Record<string, string>>(body.data.builds).every((b) => b.build_status === 'pending' && b.build_id === 'no-id-yet')).toBe(true)
  })

  test('walks pending → running (builds) → runs → successful', () => {
    const { create, read, advance } = world('success')
    const id = create().body.data.deploy_id as string
    const seen: string[] = []
    for (let t = 0; t < 4_000; t += 100) {
      const data = read(id).body.data
      expectDeploymentShape(data)
      const line = `${data.status} ${data.builds.web.build_status} ${data.runs.web.run_status}`
      if (seen.at(-1) !== line) seen.push(line)
      advance(100)
    }
    expect(seen).toEqual([
      'pending pending pending',
      'running pending pending',
      'running running pending',
      'running successful pending',
      'running successful successful',
      'successful successful successful'
    ])
  })

  test('a failed build fails the deployment and skips the runs', () => {
    const { create, read, advance } = world('build-failure')
    const id = create().body.data.deploy_id as string
    advance(5_000)
    const data = read(id).body.data
    expect(data.status).toBe('failed')
    expect(data.long_status).toMatch(/^Got exception: Some builds failed, you can check the build logs for more info: web\(id:/)
    expect(data.runs.web).toEqual({ run_status: 'skipped', run_long_status: 'Skipped due to previous failure' })
  })

  test('answers the real 401 texts, echoing the token as the real service does', () => {
    const { api, call, create } = world()
    expect(call('POST', '/components/v1/tool/mytool/deployment').body.messages.error).toEqual(["The 'x-toolforge-tool' header or a token are required"])
    expect(call('POST', '/components/v1/tool/mytool/deployment?token=nope').body.messages.error).toEqual(["The token passed 'nope' does not match the tool's token"])
    api.setToolToken('mytool', { kind: 'expired', token: TOKEN })
    expect(create()).toEqual({ status: 401, body: { messages: { info: [], warning: [], error: [`The token passed '${TOKEN}' has expired, please create a new one`] } } })
    api.setToolToken('other', { kind: 'none' })
    expect(create('other').body.messages.error).toEqual(["The tool 'other' has no deploy token yet, you have to create one before using it"])
  })

  test('404 for an unknown id or a tool without config; FastAPI 404 for unknown routes', () => {
    const { api, call, create, read } = world()
    expect(read('20250703-075322-5zxh2hip26').status).toBe(404)
    api.removeConfig('mytool')
    expect(create()).toMatchObject({ status: 404, body: { messages: { error: ['Tool config for tool mytool not found'] } } })
    expect(call('GET', '/components/v1/nowhere')).toEqual({ status: 404, body: { detail: 'Not Found' } })
    expect(call('GET', `/components/v1/tool/mytool/deployment?token=${TOKEN}`).body.messages.error).toEqual([
      "The 'x-toolforge-tool' header or a token are required"
    ])
  })

  test('409 while another deployment of the tool is pending or running', () => {
    const { create, advance } = world('single')
    expect(create().status).toBe(200)
    expect(create()).toMatchObject({ status: 409, body: { messages: { error: ["There's already 1 running, the limit is 1. Wait for it to finish for now."] } } })
    expect(create('othertool').status).toBe(200)
    advance(10_000)
    expect(create().status).toBe(200)
  })

  test('422 for a bad body or flag, in FastAPI’s shape and as messages', () => {
    const { create } = world()
    const bad = create('mytool', '', '{not json')
    expect(bad.status).toBe(422)
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 0], type: 'json_invalid' })
    expect(bad.body.messages.error[0]).toMatch(/^body\.0: JSON decode error/)
    expect(create('mytool', '', JSON.stringify({ description: 5 })).body.messages.error).toEqual(['body.description: Input should be a valid string'])
    expect(create('mytool', '&force-run=maybe').body.messages.error).toEqual(['query.force-run: Input should be a valid boolean, unable to interpret input'])
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
