import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from '@jest/globals'
import { ApiError } from '../../src/engine/api-error.js'
import { createRedactor } from '../../src/engine/redact.js'
import { createToolforgeClient, networkError } from '../../src/engine/toolforge-client.js'

const TOKEN = 'tok/en+1'
type Handler = (req: IncomingMessage, res: ServerResponse) => void
const servers: Array<{ close: () => void; closeAllConnections: () => void }> = []

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

/** A bare HTTP server answering as `handler` says, and the client pointed at it. */
async function clientFor(handler: Handler, options: { requestTimeoutMs?: number; maxBodyBytes?: number } = {}) {
  const seen: IncomingMessage[] = []
  const server = createServer((req, res) => {
    seen.push(req)
    handler(req, res)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const api = createToolforgeClient({
    apiUrl: `http://127.0.0.1:${port}/`,
    tool: 'mytool',
    token: TOKEN,
    userAgent: 'test-agent/1',
    ...options
  })
  return { api, seen }
}

const ID = '20250703-075322-5zxh2hip26'
const deployment = { deploy_id: ID, creation_time: '20250703-075322', builds: {}, runs: {}, status: 'pending' }
const ok = (
  res: ServerResponse,
  body: unknown = { data: deployment, messages: { info: [], warning: [], error: [] } }
) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught
  )
  expect(error).toBeInstanceOf(ApiError)
  expect((error as Error).message).not.toContain(TOKEN)
  expect((error as Error).message).not.toContain(encodeURIComponent(TOKEN))
  return error as ApiError
}

describe('the Components API client', () => {
  test('creates with the documented path, query, body and User-Agent', async () => {
    let body = ''
    const { api, seen } = await clientFor((req, res) => {
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => ok(res))
    })
    const response = await api.createDeployment({ description: 'why', forceBuild: true, forceRun: false })
    api.dispose()
    expect(response.deployment.deploy_id).toBe(deployment.deploy_id)
    expect(seen[0]!.method).toBe('POST')
    expect(seen[0]!.url).toBe(
      `/components/v1/tool/mytool/deployment?token=${encodeURIComponent(TOKEN)}&force-build=true`
    )
    expect(seen[0]!.headers['user-agent']).toBe('test-agent/1')
    expect(seen[0]!.headers['content-type']).toBe('application/json')
    expect(seen[0]!.headers.accept).toBe('application/json')
    expect(JSON.parse(body)).toEqual({ description: 'why' })
  })

  test('fills the required fields the server left out, and leaves the optional ones absent', async () => {
    const { api } = await clientFor((_req, res) =>
      ok(res, { data: { deploy_id: ID, builds: { web: { build_status: null } }, runs: null } })
    )
    const { deployment: d } = await api.getDeployment(ID)
    api.dispose()
    expect(d).toEqual({
      deploy_id: ID,
      creation_time: '',
      description: '',
      runs: {},
      builds: { web: { build_id: 'no-id-yet', build_status: 'unknown' } },
      force_build: false,
      force_run: false
    })
  })

  test('an error envelope becomes an ApiError with the status and Toolforge’s text, masked', async () => {
    const { api } = await clientFor((req, res) => {
      const given = new URL(req.url!, 'http://x').searchParams.get('token')
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          messages: { info: [], warning: [], error: [`The token passed '${given}' does not match the tool's token`] }
        })
      )
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({
      kind: 'http',
      status: 401,
      reachedServer: true,
      toolforgeErrors: ["The token passed '***' does not match the tool's token"]
    })
    expect(error.message).toBe("Toolforge answered HTTP 401: The token passed '***' does not match the tool's token")
  })

  test('a gateway HTML page is not passed on', async () => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end(`<html><body>bad gateway for token=${TOKEN}</body></html>`)
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({ kind: 'http', status: 502, reachedServer: true })
    expect(error.message).toBe(
      'Toolforge answered HTTP 502 with a non-JSON body (text/html, probably from the gateway)'
    )
  })

  test('a 200 that is not JSON is a bad response, which may have started a deployment', async () => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<html>maintenance</html>')
    })
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    api.dispose()
    expect(error).toMatchObject({ kind: 'bad-response', status: 200, reachedServer: true })
    expect(error.message).toBe(
      'Toolforge answered HTTP 200 with a non-JSON body (text/html, probably from the gateway) instead of a deployment'
    )
  })

  test('a body that is not JSON and says nothing of its type is described as such', async () => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(500)
      res.end('oops')
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error.message).toBe('Toolforge answered HTTP 500 with a body that is not JSON')
  })

  test('force-run goes into the query as Toolforge documents it', async () => {
    const { api, seen } = await clientFor((_req, res) => ok(res))
    await api.createDeployment({ description: '', forceBuild: false, forceRun: true })
    await api.createDeployment({ description: '', forceBuild: true, forceRun: true })
    api.dispose()
    expect(seen.map((req) => req.url!.split('&').slice(1))).toEqual([
      ['force-run=true'],
      ['force-build=true', 'force-run=true']
    ])
  })

  test('a 200 without data is a bad response', async () => {
    const { api } = await clientFor((_req, res) => ok(res, { messages: { error: ['oops'] } }))
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({ kind: 'bad-response', status: 200, reachedServer: true })
    expect(error.message).toBe('Toolforge answered HTTP 200 with no deployment in "data": oops')
  })

  test('a redirect is not followed', async () => {
    const { api, seen } = await clientFor((_req, res) => {
      res.writeHead(307, { location: '/elsewhere' })
      res.end()
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({ kind: 'redirect', status: 307, reachedServer: true })
    expect(error.message).toBe(
      'Toolforge answered HTTP 307 (a redirect); the action does not follow redirects, since that would send the token to another address. Check api-url.'
    )
    expect(seen).toHaveLength(1)
  })

  test('a request that hangs ends at its total deadline', async () => {
    const { api } = await clientFor(() => {}, { requestTimeoutMs: 300 })
    const started = Date.now()
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    // The request was sent: a creation that timed out may have started a deployment.
    expect(error).toMatchObject({ kind: 'deadline', reachedServer: true })
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  test('cancelling the run stops a request the server holds, at once', async () => {
    let closed = false
    const { api } = await clientFor((req) => req.on('close', () => (closed = true)), { requestTimeoutMs: 30_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()
    const error = await failure(api.getDeployment(ID, { signal: controller.signal }))
    api.dispose()
    expect(error).toMatchObject({ kind: 'aborted', reachedServer: true, message: 'the request was cancelled' })
    // Well before the socket's own 31 s timeout: the signal reached the request itself.
    expect(Date.now() - started).toBeLessThan(1_500)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(closed).toBe(true)
  })

  test('a body that trickles past the deadline ends at the deadline too', async () => {
    const { api } = await clientFor(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        const timer = setInterval(() => res.write(' '), 50)
        res.on('close', () => clearInterval(timer))
      },
      { requestTimeoutMs: 400 }
    )
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error.kind).toBe('deadline')
  })

  test('a body larger than the cap is not read into memory', async () => {
    const { api } = await clientFor(
      (_req, res) => ok(res, { data: { deploy_id: ID, long_status: 'y'.repeat(5_000) } }),
      { maxBodyBytes: 1_000 }
    )
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({
      kind: 'bad-response',
      status: 200,
      reachedServer: true,
      message: "Toolforge's answer was larger than 1000 bytes; it was not read"
    })
  })

  test('a refused connection is known not to have reached the API', async () => {
    const { api } = await clientFor((_req, res) => ok(res))
    const server = servers.pop()!
    server.close()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    api.dispose()
    expect(error).toMatchObject({ kind: 'network', reachedServer: false })
  })

  test.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL'])(
    'a connection failing with %s never reached the API',
    (code) => {
      const error = networkError(Object.assign(new Error(`connect ${code}`), { code }), createRedactor([TOKEN]))
      expect(error).toMatchObject({
        kind: 'network',
        reachedServer: false,
        message: `could not connect to the API (${code})`
      })
    }
  )

  test.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', ''])(
    'a connection failing with "%s" may have reached the API',
    (code) => {
      const error = networkError(
        Object.assign(new Error(`socket hang up at /x?token=${TOKEN}`), code ? { code } : {}),
        createRedactor([TOKEN])
      )
      expect(error).toMatchObject({ kind: 'network', reachedServer: true })
      expect(error.message).toBe(`the connection to the API failed (${code || 'socket hang up at /x'})`)
    }
  )

  test.each([
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID'
  ])('a refused certificate (%s) is told apart, and never reached the API', (code) => {
    const error = networkError(Object.assign(new Error('tls'), { code }), createRedactor([TOKEN]))
    expect(error).toMatchObject({
      kind: 'tls',
      reachedServer: false,
      message: `the TLS certificate of the API was refused (${code})`
    })
  })

  test('a reset after the request was sent may have reached the API', async () => {
    const { api } = await clientFor((req) => req.socket.destroy())
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    api.dispose()
    expect(error).toMatchObject({ kind: 'network', reachedServer: true })
  })

  test('Retry-After on a good answer is passed on', async () => {
    const { api } = await clientFor((_req, res) => {
      res.setHeader('retry-after', '4')
      ok(res)
    })
    const response = await api.getDeployment(ID)
    api.dispose()
    expect(response.retryAfterMs).toBe(4_000)
  })

  test('an answer is parsed first, then masked: JSON escapes cannot hide the token', async () => {
    const escaped = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
    const { api } = await clientFor((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end(`{"messages": {"error": ["The token passed '${escaped}' does not match"]}}`)
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error.toolforgeErrors).toEqual(["The token passed '***' does not match"])
  })

  test('a deployment id that is not one is refused, and never put into a path', async () => {
    const { api, seen } = await clientFor((_req, res) =>
      ok(res, { data: { ...deployment, deploy_id: '../../config' } })
    )
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    expect(error).toMatchObject({ kind: 'bad-response', status: 200 })
    expect(error.message).toBe(
      'Toolforge answered HTTP 200 with a deployment id that is not one (expected like 20250703-075322-5zxh2hip26)'
    )
    for (const id of ['..', '.', `${ID}/../x`, '$(touch PWNED)"; echo "x']) {
      expect(await failure(api.getDeployment(id))).toMatchObject({
        kind: 'bad-response',
        reachedServer: false,
        message: 'the deployment id is not one; it was not asked for'
      })
    }
    api.dispose()
    expect(seen).toHaveLength(1)
  })

  test('odd states read as unknown; a component named __proto__ stays a component', async () => {
    // A computed key makes `__proto__` an own property, as JSON.parse does.
    const data = {
      ...deployment,
      status: '$(rm -rf /)',
      builds: { ['__proto__']: { build_id: 'b', build_status: 'RUNNING!' } },
      runs: { constructor: { run_status: 'pending' } }
    }
    const { api } = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data }))
    })
    const { deployment: d } = await api.getDeployment(ID)
    api.dispose()
    expect(d.status).toBe('unknown')
    expect(Object.keys(d.builds)).toEqual(['__proto__'])
    expect(Object.getOwnPropertyDescriptor(d.builds, '__proto__')?.value).toEqual({
      build_id: 'b',
      build_status: 'unknown'
    })
    expect(Object.keys(d.runs)).toEqual(['constructor'])
  })

  test('a request never outlasts the deadline it is given (the run’s own timeout)', async () => {
    const { api } = await clientFor(() => {}, { requestTimeoutMs: 30_000 })
    const started = Date.now()
    const error = await failure(api.getDeployment(ID, { deadline: Date.now() + 300 }))
    api.dispose()
    expect(error.kind).toBe('deadline')
    expect(Date.now() - started).toBeLessThan(1_500)
    expect(error.message).toBe("this run's timeout expired before Toolforge answered")
  })

  test.each([300, 301, 399])('HTTP %i is a redirect, and not followed', async (status) => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(status, { location: '/elsewhere' })
      res.end()
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({ kind: 'redirect', status })
  })

  test.each([299, 400])('HTTP %i is not a redirect', async (status) => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data: deployment, messages: { info: [], warning: [], error: ['no'] } }))
    })
    const outcome = await api.getDeployment(ID).then(
      (response) => response.status,
      (error: ApiError) => error.kind
    )
    api.dispose()
    expect(outcome).toBe(status === 299 ? 299 : 'http')
  })

  test('status checks share one connection; every creation gets a fresh one', async () => {
    const { api, seen } = await clientFor((_req, res) => ok(res))
    await api.getDeployment(ID)
    await api.getDeployment(ID)
    await api.createDeployment({ description: '', forceBuild: false, forceRun: false })
    await api.createDeployment({ description: '', forceBuild: false, forceRun: false })
    api.dispose()
    const [read1, read2, create1, create2] = seen.map((req) => req.socket)
    expect(read2).toBe(read1)
    expect(create1).not.toBe(read1)
    expect(create2).not.toBe(create1)
  })

  test('an answered request leaves no timer behind to hold the process open', async () => {
    const { api } = await clientFor((_req, res) => ok(res), { requestTimeoutMs: 30_000 })
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
    const before = timers()
    await api.getDeployment(ID)
    const after = timers()
    api.dispose()
    expect(after).toBe(before)
  })

  test("every one of Toolforge's error messages is in the failure, in order", async () => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ messages: { error: ['one deployment at a time', 'try later'] } }))
    })
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    api.dispose()
    expect(error.message).toBe('Toolforge answered HTTP 409: one deployment at a time; try later')
  })

  test.each(['null', '"text"', '[1]'])('a 200 whose JSON is %s holds no deployment', async (json) => {
    const { api } = await clientFor((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(json)
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error).toMatchObject({
      kind: 'bad-response',
      status: 200,
      message: 'Toolforge answered HTTP 200 with no deployment in "data"'
    })
  })

  test('a body of exactly the cap is read', async () => {
    const body = JSON.stringify({ data: deployment })
    const { api } = await clientFor((_req, res) => ok(res, { data: deployment }), {
      maxBodyBytes: Buffer.byteLength(body)
    })
    expect((await api.getDeployment(ID)).deployment.deploy_id).toBe(ID)
    api.dispose()
  })

  test('a body over the cap stops being downloaded', async () => {
    let ended = ''
    const { api } = await clientFor(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        const timer = setInterval(() => res.write(' '.repeat(1_000)), 5)
        res.on('close', () => {
          clearInterval(timer)
          ended ||= 'closed by the client'
        })
        setTimeout(() => (ended ||= 'still downloading'), 1_000)
      },
      { maxBodyBytes: 10_000 }
    )
    await failure(api.getDeployment(ID))
    await new Promise((resolve) => setTimeout(resolve, 200))
    api.dispose()
    expect(ended).toBe('closed by the client')
  })

  test('a connection closed mid-answer is a network failure that may have reached the API, seen at once', async () => {
    const { api } = await clientFor(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
        res.write('{"data": ')
        setTimeout(() => res.socket?.destroy(), 20)
      },
      { requestTimeoutMs: 30_000 }
    )
    const started = Date.now()
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    api.dispose()
    expect(error).toMatchObject({
      kind: 'network',
      reachedServer: true,
      message: 'the connection to the API failed (ECONNRESET)'
    })
    expect(Date.now() - started).toBeLessThan(1_500)
  })

  test('a redirect answering a creation is not followed either, and its connection is closed', async () => {
    let closed = false
    const { api, seen } = await clientFor((req, res) => {
      res.writeHead(308, { location: '/elsewhere' })
      res.write('x'.repeat(10_000))
      req.socket.on('close', () => (closed = true))
    })
    const error = await failure(api.createDeployment({ description: '', forceBuild: false, forceRun: false }))
    await new Promise((resolve) => setTimeout(resolve, 100))
    api.dispose()
    expect(error).toMatchObject({ kind: 'redirect', status: 308 })
    expect(seen).toHaveLength(1)
    expect(closed).toBe(true)
  })

  test('cancelling the run stops a creation the server holds, at once', async () => {
    const { api } = await clientFor(() => {}, { requestTimeoutMs: 30_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = Date.now()
    const error = await failure(
      api.createDeployment({ description: '', forceBuild: false, forceRun: false }, { signal: controller.signal })
    )
    api.dispose()
    expect(error.kind).toBe('aborted')
    expect(Date.now() - started).toBeLessThan(1_500)
  })

  test('dispose ends what is still in flight, reads and creations alike', async () => {
    let closed = 0
    const { api } = await clientFor((req) => req.socket.on('close', () => (closed += 1)), { requestTimeoutMs: 30_000 })
    const read = api.getDeployment(ID).catch(() => 'ended')
    const creation = api.createDeployment({ description: '', forceBuild: false, forceRun: false }).catch(() => 'ended')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const disposed = Date.now()
    api.dispose()
    expect(await Promise.all([read, creation])).toEqual(['ended', 'ended'])
    // Long before the 30 s the requests were allowed.
    expect(Date.now() - disposed).toBeLessThan(1_000)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(closed).toBe(2)
  })

  test('an api-url given with trailing slashes still reaches the documented path', async () => {
    const server = createServer((req, res) => {
      paths.push(req.url ?? '')
      ok(res)
    })
    const paths: string[] = []
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const api = createToolforgeClient({
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}//`,
      tool: 'mytool',
      token: TOKEN,
      userAgent: 'a'
    })
    await api.getDeployment(ID)
    api.dispose()
    expect(paths).toEqual([`/components/v1/tool/mytool/deployment/${ID}?token=${encodeURIComponent(TOKEN)}`])
  })

  test('a long content type is cut to 60 characters in the message', async () => {
    const type = `text/${'x'.repeat(100)}`
    const { api } = await clientFor((_req, res) => {
      res.writeHead(502, { 'content-type': `${type}; charset=utf-8` })
      res.end('<html></html>')
    })
    const error = await failure(api.getDeployment(ID))
    api.dispose()
    expect(error.message).toBe(
      `Toolforge answered HTTP 502 with a non-JSON body (${type.slice(0, 60)}, probably from the gateway)`
    )
  })

  test('a gateway error on a status check is asked once: the wait loop paces its own retries', async () => {
    const { api, seen } = await clientFor((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ messages: { error: ['busy'] } }))
    })
    const error = await failure(api.getDeployment(ID))
    await new Promise((resolve) => setTimeout(resolve, 100))
    api.dispose()
    expect(error.status).toBe(503)
    expect(seen).toHaveLength(1)
  })
})
