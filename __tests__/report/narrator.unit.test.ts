import { describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import type { ApiResponse } from '../../src/engine/toolforge-client.js'
import type { ResponseMessages } from '../../src/engine/toolforge-types.js'
import { createNarrator, type NarrationSink } from '../../src/report/narrator.js'
import type { Settings } from '../../src/settings/settings.js'
import { deployment } from '../../dev/fixtures/deployments.js'

const settings = { tool: 'mytool' } as Settings
const noMessages: ResponseMessages = { info: [], warning: [], error: [] }
const answer = (
  d = deployment('running', { web: 'running' }, { web: 'pending' }),
  messages = noMessages
): ApiResponse => ({ deployment: d, messages, status: 200, retryAfterMs: undefined })

function narrate() {
  const said: string[] = []
  const sink: NarrationSink = {
    line: (text) => said.push(text),
    debug: (text) => said.push(`debug: ${text.slice(0, 40)}`),
    warning: (text, title) => said.push(`warning${title ? ` [${title}]` : ''}: ${text}`),
    notice: (text, title) => said.push(`notice${title ? ` [${title}]` : ''}: ${text}`)
  }
  let time = 1_000_000
  const seen: string[] = []
  const narrator = createNarrator(settings, sink, () => time, { onDeployment: (d) => seen.push(d.status ?? 'pending') })
  const at = (ms: number) => (time = 1_000_000 + ms)
  return { narrator, said, seen, at, lines: () => said.filter((text) => !text.startsWith('debug')) }
}

describe('the narrator', () => {
  test('says the creation, each change once, and Toolforge’s messages once each', () => {
    const { narrator, lines, seen, at } = narrate()
    const messages: ResponseMessages = {
      info: ['Deployment for mytool created successfully.'],
      warning: ['beta'],
      error: []
    }
    narrator.created(answer(deployment('pending'), messages))
    at(2_000)
    narrator.polled(answer(undefined, messages))
    at(4_000)
    narrator.polled(answer())
    expect(lines()).toEqual([
      'Created deployment 20250703-075322-5zxh2hip26 of mytool',
      'Toolforge says: Deployment for mytool created successfully.',
      'Toolforge warning: beta',
      '[0s] pending',
      '[2s] running · builds: web running · runs: web pending'
    ])
    expect(seen).toEqual(['pending', 'running', 'running'])
  })

  test('every status check is in the debug log', () => {
    const { narrator, said } = narrate()
    narrator.polled(answer())
    expect(said[0]).toBe('debug: status check: {"deploy_id":"20250703-075')
  })

  test('a quiet minute gets a heartbeat', () => {
    const { narrator, lines, at } = narrate()
    narrator.polled(answer())
    at(59_000)
    narrator.polled(answer())
    at(61_000)
    narrator.polled(answer())
    expect(lines()).toEqual([
      '[0s] running · builds: web running',
      '[1m01s] still running · builds: web running · runs: web pending'
    ])
  })

  test('a status this version does not know is warned about once, and at most five different ones', () => {
    const { narrator, lines } = narrate()
    for (const status of ['unknown', 'unknown', 'paused']) narrator.polled(answer(deployment(status)))
    const warnings = lines().filter((line) => line.startsWith('warning'))
    expect(warnings).toEqual([
      'warning: Toolforge reported a status this version does not know, "unknown"; it is taken as not final, and waiting goes on.',
      'warning: Toolforge reported a status this version does not know, "paused"; it is taken as not final, and waiting goes on.'
    ])
    const many = narrate()
    for (const status of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) many.narrator.polled(answer(deployment(status)))
    expect(many.lines().filter((line) => line.startsWith('warning'))).toHaveLength(5)
  })

  test('retries say what failed, when the next try is, and how many failed in a row', () => {
    const { narrator, lines, at } = narrate()
    at(3_000)
    narrator.retrying(
      new ApiError('http', 'Toolforge answered HTTP 502', { status: 502, reachedServer: true }),
      2,
      4_000
    )
    narrator.creationRetrying(
      new ApiError('network', 'could not connect to the API (ECONNREFUSED)', { reachedServer: false }),
      1,
      1_500
    )
    expect(lines()).toEqual([
      '[3s] status check failed (Toolforge answered HTTP 502); trying again in 4s (failure 2 in a row)',
      '[3s] creating the deployment failed (could not connect to the API (ECONNREFUSED)); trying again in 2s (failure 1 in a row)',
      'The API cannot be reached: this run fails if that lasts 30s.'
    ])
    // Said once, at the first failure to connect.
    narrator.creationRetrying(
      new ApiError('network', 'could not connect to the API (ECONNREFUSED)', { reachedServer: false }),
      2,
      3_000
    )
    expect(lines().filter((line) => line.startsWith('The API cannot be reached'))).toHaveLength(1)
  })

  test('queued: a notice with Toolforge’s reason, then a line a minute at most; the time queued goes into the timeline', () => {
    const { narrator, lines, at } = narrate()
    const conflict = new ApiError('http', 'HTTP 409', {
      status: 409,
      toolforgeErrors: ['There is another deployment in progress'],
      reachedServer: true
    })
    narrator.queued(conflict, 1, 5_000)
    at(5_000)
    narrator.queued(conflict, 2, 7_500)
    at(60_000)
    narrator.queued(conflict, 3, 11_250)
    at(70_000)
    narrator.created(answer(deployment('pending')))
    expect(lines()).toEqual([
      'notice [Queued behind another Toolforge deployment]: Another deployment of mytool is in progress on Toolforge (There is another deployment in progress); this one will be created when it has finished (on-conflict: wait).',
      '[1m] still queued behind another deployment; next attempt in 11s',
      'Created deployment 20250703-075322-5zxh2hip26 of mytool',
      '[1m10s] pending'
    ])
    expect(narrator.timeline().queued).toEqual({ startMs: 0, endMs: 70_000 })
  })

  test('the queued notice gives every reason Toolforge gave', () => {
    const { narrator, lines } = narrate()
    narrator.queued(
      new ApiError('http', 'HTTP 409', { status: 409, toolforgeErrors: ['busy', 'try later'], reachedServer: true }),
      1,
      5_000
    )
    expect(lines()[0]).toContain('is in progress on Toolforge (busy; try later); this one')
  })

  test('without a reason from Toolforge, the queued notice says none', () => {
    const { narrator, lines } = narrate()
    narrator.queued(new ApiError('http', 'HTTP 409', { status: 409, reachedServer: true }), 1, 5_000)
    expect(lines()[0]).toBe(
      'notice [Queued behind another Toolforge deployment]: Another deployment of mytool is in progress on Toolforge; this one will be created when it has finished (on-conflict: wait).'
    )
  })

  test('the serving check: what is asked and why, then each new answer, a repeated one at most every 30 s, and always the last', () => {
    const { narrator, lines, at } = narrate()
    const target = { url: 'https://mytool.toolforge.org/healthz', strict: true, component: 'web' }
    narrator.probed(target, '503', 1, 1_000)
    at(1_000)
    narrator.probed(target, '503', 2, 2_000)
    // 30 s after the last line shown: shown again.
    at(30_000)
    narrator.probed(target, '503', 3, 4_000)
    at(35_000)
    narrator.probed(target, '200', 4, undefined)
    expect(lines()).toEqual([
      "Checking that https://mytool.toolforge.org/healthz serves (web's health check)",
      '[0s] https://mytool.toolforge.org/healthz answered 503; asking again in 1s',
      '[30s] https://mytool.toolforge.org/healthz answered 503; asking again in 4s',
      '[35s] https://mytool.toolforge.org/healthz answered 200'
    ])
    const given = narrate()
    given.narrator.probed({ url: 'https://x.example/up', strict: true }, '200', 1, undefined)
    given.narrator.probed({ url: 'https://x.example/', strict: false, component: 'web' }, '200', 1, undefined)
    expect(given.lines()).toEqual([
      'Checking that https://x.example/up serves',
      '[0s] https://x.example/up answered 200',
      'Checking that https://x.example/ serves (published by web)',
      '[0s] https://x.example/ answered 200'
    ])
  })
})
