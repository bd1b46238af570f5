import { createServer } from 'node:net'
import { describe, expect, test } from '@jest/globals'
import { ToolforgeSimulator } from '../../dev/simulator/server.js'
import { expectNoToken } from '../helpers/leaks.js'
import { runAction } from '../../dev/support/run-bundle.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'

const inputs = (url: string, extra: Record<string, string> = {}) => ({
  tool: 'mytool',
  token: TOKEN,
  'api-url': url,
  ...extra
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('transient faults while following a deployment', () => {
  test.concurrent(
    'gateway HTML pages, resets and bad JSON are retried; one deployment, success',
    withSimulator('success', async ({ sim, url }) => {
      sim.addFaults(
        'GET',
        { kind: 'gateway', status: 502 },
        { kind: 'reset' },
        { kind: 'invalid-json' },
        { kind: 'gateway', status: 504 }
      )
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      expect(run.outputs.status).toBe('successful')
      expect(sim.countRequests('POST')).toBe(1)
      expect(run.stdout).toContain(
        'status check failed (Toolforge answered HTTP 502 with a non-JSON body (text/html, probably from the gateway))'
      )
      expect(run.stdout).toContain('the connection to the API failed (ECONNRESET)')
      expect(run.stdout).not.toContain('<html>')
      expectNoToken(run.everything, TOKEN)
    })
  )

  test.concurrent(
    'Retry-After is honoured',
    withSimulator('success', async ({ sim, url }) => {
      sim.addFaults('GET', { kind: 'retry-after', status: 429, retryAfter: '2' })
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      const gets = sim.requests.filter((r) => r.method === 'GET')
      expect(gets[0]!.status).toBe(429)
      expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(2_000)
    })
  )

  test.concurrent(
    'a request that never gets an answer is abandoned after its deadline and retried',
    withSimulator('single', async ({ sim, url }) => {
      sim.addFaults('GET', { kind: 'hang' })
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Toolforge did not answer completely within 30s')
      expect(run.durationMs).toBeLessThan(40_000)
    }),
    60_000
  )

  test.concurrent(
    'a redirect is not followed and fails naming the status',
    withSimulator('single', async ({ sim, url }) => {
      sim.addFaults('GET', { kind: 'redirect' })
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toContain(
        'Toolforge answered HTTP 302 (a redirect)'
      )
      expect(sim.countRequests('GET')).toBe(1)
      expect(run.outputs.deploy_id).toMatch(/^\d{8}-/)
    })
  )

  test.concurrent(
    'a token that stops working mid-way stops the wait at once with Toolforge’s reason',
    withSimulator('slow-builds', async ({ sim, url }) => {
      let expiredAt = 0
      const run = await runAction({
        inputs: inputs(url),
        onStdout: (stdout) => {
          if (!expiredAt && stdout.includes('builds: web running')) {
            expiredAt = Date.now()
            sim.api.setToolToken('mytool', { kind: 'expired', token: TOKEN })
          }
        }
      })
      expect(run.code).toBe(1)
      const after = sim.requests.filter((r) => r.at >= expiredAt)
      expect(after).toHaveLength(1)
      expect(after[0]!.status).toBe(401)
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toBe(
        `following deployment ${run.outputs.deploy_id} failed: Toolforge refused the deploy token (HTTP 401): The token passed '***' has expired, please create a new one`
      )
      expect(run.summary).toContain('toolforge components deploy-token create')
      expectNoToken(run.everything, TOKEN)
    })
  )
})

describe('creating is not idempotent', () => {
  test.concurrent(
    '503 with Retry-After on creation is retried: one deployment',
    withSimulator('single', async ({ sim, url }) => {
      sim.addFaults('POST', { kind: 'retry-after', status: 503, retryAfter: '1' })
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      expect(sim.countRequests('POST')).toBe(2)
      expect(sim.api.deploymentsOf('mytool')).toHaveLength(1)
    })
  )

  test.concurrent(
    'a reset after the API processed the creation is not retried and says a deployment may exist',
    withSimulator('single', async ({ sim, url }) => {
      sim.addFaults('POST', { kind: 'reset-after-processing' })
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(sim.countRequests('POST')).toBe(1)
      expect(sim.api.deploymentsOf('mytool')).toHaveLength(1)
      const message = run.annotations.find((a) => a.kind === 'error')!.message
      expect(message).toContain('a deployment may have been started on Toolforge')
      expect(message).toContain('It was not retried')
      expect(run.summary).toContain('toolforge components deployment list')
    })
  )

  test.concurrent(
    'a 502 from the gateway on creation is not retried',
    withSimulator('single', async ({ sim, url }) => {
      sim.addFaults('POST', { kind: 'gateway', status: 502 })
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(1)
      expect(sim.countRequests('POST')).toBe(1)
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toContain('may have been started')
    })
  )

  test.concurrent('a refused connection is retried until the API is there', async () => {
    const port = await freePort()
    const sim = new ToolforgeSimulator({ token: TOKEN, scenario: 'single' })
    // The API comes up only once the action has seen its first attempt refused.
    let later: Promise<unknown> | undefined
    const run = await runAction({
      inputs: inputs(`http://127.0.0.1:${port}`),
      onStdout: (stdout) => {
        if (!later && stdout.includes('could not connect to the API (ECONNREFUSED)')) later = sim.listen(port)
      }
    })
    await later
    await sim.close()
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('creating the deployment failed (could not connect to the API (ECONNREFUSED))')
    expect(sim.countRequests('POST')).toBe(1)
  })
})

describe('the one-deployment-per-tool limit (409)', () => {
  test.concurrent(
    'by default the action queues behind the deployment in progress',
    withSimulator('single', async ({ sim, url }) => {
      sim.api.occupy('mytool', 3_000)
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      const notice = run.annotations.find((a) => a.kind === 'notice')!
      expect(notice.title).toBe('Queued behind another Toolforge deployment')
      expect(notice.message).toContain("There's already 1 running, the limit is 1")
      expect(run.summary).toMatch(/queued behind another deployment/)
      expect(sim.api.deploymentsOf('mytool')).toHaveLength(2)
    })
  )

  test.concurrent(
    'on-conflict: fail fails at once with Toolforge’s message',
    withSimulator('single', async ({ sim, url }) => {
      sim.api.occupy('mytool', 60_000)
      const run = await runAction({ inputs: inputs(url, { 'on-conflict': 'fail' }) })
      expect(run.code).toBe(1)
      expect(sim.countRequests('POST')).toBe(1)
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toBe(
        "creating the deployment failed: another deployment of mytool is in progress on Toolforge (HTTP 409): There's already 1 running, the limit is 1. Wait for it to finish for now."
      )
      expect(sim.countRequests('GET')).toBe(0)
    })
  )

  test.concurrent(
    'queueing counts against the timeout',
    withSimulator('single', async ({ sim, url }) => {
      sim.api.occupy('mytool', 60_000)
      const run = await runAction({ inputs: inputs(url, { timeout: '4s' }) })
      expect(run.code).toBe(1)
      expect(run.annotations.find((a) => a.kind === 'error')!.message).toContain(
        "this run's timeout (4s) expired while another deployment of mytool was still in progress on Toolforge, so none was created."
      )
      expect(run.outputs.deploy_id).toBe('')
    })
  )
})

describe('cancellation', () => {
  test.concurrent.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops the wait, reports, and exits before the runner would kill it',
    (name) =>
      withSimulator('slow-builds', async ({ url }) => {
        const run = await runAction({ inputs: inputs(url), signal: { name, when: 'builds: web running' } })
        expect(run.code).toBe(1)
        // The runner follows SIGINT with SIGTERM 7.5 s later, and kills 2.5 s after that.
        expect(run.durationMs - run.signalledAtMs!).toBeLessThan(7_500)
        expect(run.outputs.deploy_id).toMatch(/^\d{8}-/)
        expect(run.outputs.status).toBe('running')
        const failure = run.annotations.find((a) => a.kind === 'error')!.message
        expect(failure).toContain(
          `deployment ${run.outputs.deploy_id} continues on Toolforge (a deploy token cannot cancel it)`
        )
        expect(run.summary).toContain('Interrupted while following the deployment')
        expect(run.summary).toContain(`deploy-id: ${run.outputs.deploy_id}`)
        expect(run.summary).toContain(run.outputs.deploy_id)
      })()
  )
})
