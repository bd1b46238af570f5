import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { SimulatedApi, type SimApiOptions, type SimResponse } from './api.js'
import { SimulatedRepositories } from './git.js'
import { gatewayPage, randomFault, type Fault, type FaultKind } from './faults.js'
import { seededRandom, type Random } from './random.js'

export interface RequestRecord {
  method: string
  tool: string
  /** The path with the token replaced by `***`. */
  path: string
  status: number | 'reset' | 'hang'
  fault: FaultKind | undefined
  at: number
  userAgent: string
}

export interface SimulatorOptions extends SimApiOptions {
  /** Each line the simulator has to say about a request. */
  log?: (line: string) => void
}

/** The simulated API behind a real HTTP server on the loopback interface. */
export class ToolforgeSimulator {
  readonly api: SimulatedApi
  /** The tools' git repositories, at `/git/<tool>.git` on the same address. */
  readonly git = new SimulatedRepositories()
  readonly requests: RequestRecord[] = []
  /** What was asked of the repositories (path and query), apart from the API's requests. */
  readonly gitRequests: string[] = []
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  /** Scripted faults by method and tool ('*': any tool). */
  private readonly queued = new Map<string, Fault[]>()
  private chaosRate = 0
  private chaosKinds: FaultKind[] | undefined
  /** One generator per tool, so that a tool's faults replay whatever else runs beside it. */
  private readonly chaosRandom = new Map<string, Random>()
  private readonly seed: number
  private readonly log: (line: string) => void
  private readonly token: string
  private readonly now: () => number

  constructor(options: SimulatorOptions) {
    this.api = new SimulatedApi(options)
    this.log = options.log ?? (() => {})
    this.token = options.token
    this.now = options.now ?? Date.now
    this.seed = options.seed ?? 1
    this.server = createServer((req, res) => void this.serve(req, res))
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  /** Starts listening; resolves to the address to give as `api-url`. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => resolve())
    })
    const address = this.server.address() as AddressInfo
    // An IPv6 address is written in brackets in a URL.
    const named = host.includes(':') ? `[${host}]` : host
    this.api.repositories = `http://${named}:${address.port}/git`
    return `http://${named}:${address.port}`
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** The next requests of this method meet these faults, in order. */
  addFaults(method: 'GET' | 'POST', ...faults: Fault[]): void {
    this.addFaultsFor('*', method, ...faults)
  }

  /** The next requests of this method about `tool` meet these faults, in order. */
  addFaultsFor(tool: string, method: 'GET' | 'POST', ...faults: Fault[]): void {
    const key = `${method} ${tool}`
    this.queued.set(key, [...(this.queued.get(key) ?? []), ...faults])
  }

  /** From now on, a share `rate` of status reads meets a random fault, seeded per tool. */
  chaos(rate: number, kinds?: FaultKind[]): void {
    this.chaosRate = rate
    this.chaosKinds = kinds
  }

  countRequests(method: string): number {
    return this.requests.filter((r) => r.method === method).length
  }

  private serveGit(url: string, res: ServerResponse): void {
    this.gitRequests.push(url)
    const answer = this.git.answer(url.slice('/git/'.length)) ?? {
      status: 404,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('Not Found\n')
    }
    this.log(`GET ${url} → ${answer.status}`)
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length })
    res.end(answer.body)
  }

  /**
   * The tools' web pages, at `/tools/<tool>/`: where the action looks for them when the API
   * is on this machine and TOOLFORGE_TOOL_URL is not set, so that a serving check made
   * against the simulator by hand never leaves the machine.
   */
  private serveToolPage(url: string, res: ServerResponse): void {
    const tool = /^\/tools\/([a-z0-9-]+)\//.exec(url)?.[1]
    res.writeHead(tool ? 200 : 404, { 'content-type': 'text/plain' })
    res.end(tool ? `${tool} on the Toolforge simulator\n` : 'Not Found\n')
  }

  private pickFault(method: string, tool: string): Fault | undefined {
    const scripted = this.queued.get(`${method} ${tool}`)?.shift() ?? this.queued.get(`${method} *`)?.shift()
    if (scripted) return scripted
    if (method !== 'GET' || this.chaosRate <= 0) return undefined
    let random = this.chaosRandom.get(tool)
    if (!random) {
      random = seededRandom(this.seed * 31 + [...tool].reduce((h, c) => (h * 33 + c.charCodeAt(0)) >>> 0, 5381))
      this.chaosRandom.set(tool, random)
    }
    return random() < this.chaosRate ? randomFault(random, this.chaosKinds) : undefined
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const method = req.method ?? 'GET'
    if (req.url?.startsWith('/git/')) return this.serveGit(req.url, res)
    if (req.url?.startsWith('/tools/')) return this.serveToolPage(req.url, res)
    const path = (req.url ?? '/').replace(/([?&]token=)[^&]*/, '$1***')
    const tool = decodeURIComponent(/\/tool\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '')
    const record: RequestRecord = {
      method,
      tool,
      path,
      status: 0,
      fault: undefined,
      at: this.now(),
      userAgent: String(req.headers['user-agent'] ?? '')
    }
    this.requests.push(record)
    const given = new URL(req.url ?? '/', 'http://simulator.invalid').searchParams.get('token')
    const mask = (line: string) =>
      [this.token, given].reduce<string>((text, secret) => (secret ? text.split(secret).join('***') : text), line)
    const fault = this.pickFault(method, tool)
    if (fault) record.fault = fault.kind
    const answer = (response: SimResponse, delayMs = 0) => {
      record.status = response.status
      this.log(
        mask(`${method} ${path} → ${response.status}${fault ? ` (fault: ${fault.kind})` : ''}${describe(response)}`)
      )
      res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) })
      if (delayMs <= 0) return void res.end(response.body)
      // A body that arrives in pieces, the last one after delayMs.
      const body = Buffer.from(response.body)
      const half = Math.floor(body.length / 2)
      res.write(body.subarray(0, half))
      setTimeout(() => res.end(body.subarray(half)), delayMs).unref()
    }
    const process = () =>
      this.api.handle({
        method,
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8')
      })

    switch (fault?.kind) {
      case undefined:
        return answer(process())
      case 'gateway':
        return answer({
          status: fault.status,
          headers: { 'content-type': 'text/html' },
          body: gatewayPage(fault.status)
        })
      case 'retry-after':
        return answer({
          status: fault.status,
          headers: { 'content-type': 'application/json', 'retry-after': fault.retryAfter },
          body: JSON.stringify({ messages: { info: [], warning: [], error: ['Too many requests, slow down'] } })
        })
      case 'reset':
        record.status = 'reset'
        this.log(`${method} ${path} → connection reset (fault)`)
        return void req.socket.destroy()
      case 'reset-after-processing': {
        const response = process()
        record.status = 'reset'
        this.log(`${method} ${path} → processed (${response.status}), then connection reset (fault)`)
        return void req.socket.destroy()
      }
      case 'hang':
        record.status = 'hang'
        this.log(`${method} ${path} → never answered (fault)`)
        return
      case 'slow-body':
        return answer(process(), fault.ms)
      case 'late-answer': {
        const response = process()
        this.log(`${method} ${path} → processed (${response.status}), answered in ${fault.ms} ms (fault)`)
        setTimeout(() => answer(response), fault.ms).unref()
        return
      }
      case 'invalid-json':
        return answer({
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"data": {"deploy_id": "trunc'
        })
      case 'redirect':
        return answer({ status: 302, headers: { location: 'https://elsewhere.invalid/steal' }, body: '' })
    }
  }
}

function describe(response: SimResponse): string {
  if (!response.headers['content-type']?.includes('json')) return ''
  try {
    const body = JSON.parse(response.body) as {
      data?: { deploy_id?: string; status?: string }
      messages?: { error?: string[] }
    }
    if (body.data?.deploy_id) return ` ${body.data.deploy_id} ${body.data.status}`
    const error = body.messages?.error?.[0]
    return error ? ` ${error.slice(0, 200)}` : ''
  } catch {
    return ''
  }
}
