import { getEventListeners } from 'node:events'
import { afterEach, describe, expect, test } from '@jest/globals'
import { systemClock } from '../../src/engine/clock.js'
import type { DeployObserver } from '../../src/engine/deploy.js'
import { settingsFixture } from '../../dev/fixtures/settings.js'
import { deployLive } from '../../src/engine/live-deploy.js'
import { abortOnSignals } from '../../src/engine/signals.js'
import { CLI_USER_AGENT, USER_AGENT, VERSION } from '../../src/engine/version.js'
import type { Settings } from '../../src/settings/settings.js'
import { ToolforgeSimulator } from '../../dev/simulator/server.js'
import { startWebServer } from '../helpers/web-server.js'

const TOKEN = 'live-deploy-token'
const closers: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const observer = (seen: string[]): DeployObserver => ({
  created: (r) => seen.push(`created ${r.deployment.status ?? 'pending'}`),
  polled: (r) => seen.push(`polled ${r.deployment.status ?? 'pending'}`),
  queuedOnServer: () => seen.push('queued on server'),
  retrying: () => seen.push('retrying'),
  creationRetrying: () => seen.push('creation retrying'),
  queued: () => seen.push('queued'),
  probed: (_target, answer) => seen.push(`probed ${answer}`)
})

async function live(overrides: Partial<Settings> = {}) {
  const sim = new ToolforgeSimulator({ token: TOKEN, scenario: 'single', timeScale: 0.05 })
  const apiUrl = await sim.listen(0)
  closers.push(() => sim.close())
  const settings: Settings = settingsFixture({
    token: TOKEN,
    apiUrl,
    description: 'live',
    timeoutMs: 60_000,
    checkTimeoutMs: 10_000,
    toolAddress: 'http://127.0.0.1:9/',
    ...overrides
  })
  return { settings, sim }
}

/** A deployment created beside the action and left to finish, for the action to follow by id. */
async function finishedDeployment(apiUrl: string): Promise<string> {
  const base = `${apiUrl}/components/v1/tool/mytool/deployment`
  const created = (await (
    await fetch(`${base}?token=${TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}'
    })
  ).json()) as { data: { deploy_id: string } }
  const id = created.data.deploy_id
  for (;;) {
    const read = (await (await fetch(`${base}/${id}?token=${TOKEN}`)).json()) as { data: { status?: string } }
    if (read.data.status === 'successful') return id
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A cancellation that never comes. */
const NEVER = new AbortController().signal

describe('deploying for real', () => {
  test('over HTTP with the system clock, the serving check asked with the User-Agent given', async () => {
    const web = await startWebServer(() => ({ status: 200 }))
    closers.push(() => web.close())
    const { settings } = await live({ check: new URL(`${web.url}/up`) })
    const deployId = await finishedDeployment(settings.apiUrl)
    const seen: string[] = []
    const outcome = await deployLive({ ...settings, deployId }, observer(seen), 'agent/1', NEVER)
    expect(outcome).toMatchObject({ end: 'successful', check: { result: 'passed' } })
    expect(outcome.deployment?.deploy_id).toBe(deployId)
    expect(seen).toEqual(['polled successful', 'probed 200'])
    expect(web.requests.map((r) => [r.path, r.headers['user-agent']])).toEqual([['/up', 'agent/1']])
  })

  test('with deploy-id and no wait, the deployment is read once; no connection to the API is left open afterwards', async () => {
    const { settings, sim } = await live()
    // The simulator's own count of open connections (a private field, read for this test only).
    const open = () =>
      new Promise<number>((resolve, reject) =>
        sim['server'].getConnections((error, count) => (error ? reject(error) : resolve(count)))
      )
    const created = await deployLive({ ...settings, wait: false }, observer([]), 'agent/1', NEVER)
    // Reads keep their connection alive between status checks; it must not outlive the run.
    const read = await deployLive(
      { ...settings, deployId: created.deployment!.deploy_id, wait: false },
      observer([]),
      'agent/1',
      NEVER
    )
    expect(read).toMatchObject({
      end: 'no-wait',
      error: undefined,
      deployment: { deploy_id: created.deployment!.deploy_id }
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await open()).toBe(0)
  })

  test('the cancellation stops the wait, with the last status seen', async () => {
    const { settings } = await live()
    const seen: string[] = []
    const watching = observer(seen)
    const cancel = new AbortController()
    const outcome = await deployLive(
      settings,
      { ...watching, created: (r) => (watching.created(r), setTimeout(() => cancel.abort(), 50)) },
      'agent/1',
      cancel.signal
    )
    expect(outcome.end).toBe('interrupted')
    expect(outcome.deployment?.status).not.toBe('successful')
  })
})

describe('cancellation and time', () => {
  test('SIGTERM aborts too; removing the handlers leaves the process as it was', () => {
    const controller = new AbortController()
    const remove = abortOnSignals(controller)
    process.emit('SIGTERM')
    expect(controller.signal.aborted).toBe(true)
    remove()
    expect(process.listenerCount('SIGTERM')).toBe(0)
  })

  test('the system clock sleeps as long as asked, and no longer once aborted', async () => {
    let started = Date.now()
    await systemClock.sleep(120)
    expect(Date.now() - started).toBeGreaterThanOrEqual(115)
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    started = systemClock.now()
    await systemClock.sleep(10_000, controller.signal)
    expect(systemClock.now() - started).toBeLessThan(1_000)
    started = Date.now()
    await systemClock.sleep(10_000, controller.signal)
    expect(Date.now() - started).toBeLessThan(50)
    await systemClock.sleep(-5)
  })

  test('a sleep leaves no timer and no listener behind, however it ends', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
    const before = timers()
    const controller = new AbortController()
    await systemClock.sleep(5, controller.signal)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    setTimeout(() => controller.abort(), 5)
    await systemClock.sleep(60_000, controller.signal)
    expect(timers()).toBe(before)
  })
})

describe('what the action and the command call themselves', () => {
  test('a User-Agent naming the product, its version and where to find it', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string }
    expect(VERSION).toBe(version)
    expect(USER_AGENT).toBe(`toolforge-deploy-action/${version} (+https://github.com/toolforge/deploy-action)`)
    expect(CLI_USER_AGENT).toBe(`toolforge-deploy/${version} (+https://github.com/toolforge/deploy-action)`)
  })
})
