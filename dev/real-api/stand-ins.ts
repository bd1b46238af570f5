/**
 * What the upstream Components API needs around it to run on 127.0.0.1, written for this
 * project: a build service and a jobs service that answer as Toolforge's do (shapes from
 * the API's generated client models), a dumb-HTTP git server for `git ls-remote`, and a
 * gateway that maps `/components/...` to the app as Toolforge's API gateway does. The app
 * itself is upstream's, started with uvicorn from a checkout. The knobs are the same as
 * those of the server shipped beside the project, so one test suite drives both.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { delimiter, dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A call of Toolforge's services that goes wrong, as Toolforge's own do: `500` answers an
 * error, `hang` never answers (the runtime's client gives up after 20 s), `lost` answers
 * that the build does not exist (a build record deleted under the deployment). Each fault
 * is used `times` times (default 1), for `tool` only when it names one, then gone.
 */
export interface ServiceFault {
  call: 'build-start' | 'build-status' | 'job'
  answer: 500 | 'hang' | 'lost'
  tool?: string
  times?: number
}

interface Knobs {
  faults: ServiceFault[]
  build_pending_s: number
  build_running_s: number
  fail_refs: string[]
  max_parallel_builds: number
  max_memory_gi: number
  latency_ms: number
  latency_jitter_ms: number
  tool_overrides: Record<string, Partial<Pick<Knobs, 'build_pending_s' | 'build_running_s'>>>
}

const DEFAULTS: Knobs = {
  faults: [],
  build_pending_s: 1,
  build_running_s: 3,
  fail_refs: ['broken'],
  max_parallel_builds: 4,
  max_memory_gi: 4,
  latency_ms: 0,
  latency_jitter_ms: 0,
  tool_overrides: {}
}

interface Build {
  id: string
  tool: string
  params: Record<string, unknown>
  resolvedRef: string
  created: number
  pendingS: number
  runningS: number
  outcome: 'BUILD_SUCCESS' | 'BUILD_FAILURE'
  digest: string
  cancelled: boolean
}

type Json = Record<string, unknown>
type Answer = [number, unknown]

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'

function randomText(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('')
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
}

function memoryGi(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Mi|Gi|M|G)?$/.exec(value)
  if (!match) return undefined
  return match[2] === 'Mi' || match[2] === 'M' ? Number(match[1]) / 1024 : Number(match[1])
}

function validSchedule(schedule: string): boolean {
  if (schedule.startsWith('@'))
    return ['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight'].includes(schedule)
  const fields = schedule.split(/\s+/)
  return fields.length === 5 && fields.every((field) => /^[\d*/,-]+$/.test(field))
}

function lsRemote(url: string, ref: string): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('git', ['ls-remote', url, ref], { timeout: 20_000 }, (error, stdout) =>
      resolve(error ? undefined : stdout.split(/\s+/)[0] || undefined)
    )
  )
}

/** The build and jobs services, with the shipped server's knobs. */
class Backends {
  knobs: Knobs = structuredClone(DEFAULTS)
  builds = new Map<string, Build>()
  jobs = new Map<string, Map<string, Json>>()

  constructor(private readonly gitRoot: string) {}

  status(build: Build): string {
    if (build.cancelled) return 'BUILD_CANCELLED'
    const elapsed = Date.now() / 1000 - build.created
    if (elapsed < build.pendingS) return 'BUILD_PENDING'
    if (elapsed < build.pendingS + build.runningS) return 'BUILD_RUNNING'
    return build.outcome
  }

  view(build: Build): Json {
    const status = this.status(build)
    const done = status !== 'BUILD_PENDING' && status !== 'BUILD_RUNNING'
    const logs = `Check the logs with \`toolforge build logs ${build.id}\``
    const messages: Record<string, string> = {
      BUILD_PENDING: `build status is pending and it might not have started running yet. ${logs}`,
      BUILD_RUNNING: 'Not all Tasks in the Pipeline have finished executing',
      BUILD_SUCCESS: 'Tasks Completed: 1 (Failed: 0, Cancelled 0), Skipped: 0',
      BUILD_FAILURE: `Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0. ${logs}`,
      BUILD_CANCELLED: 'PipelineRun was cancelled'
    }
    const imageName = (build.params.image_name as string | undefined) || `tool-${build.tool}`
    const image = `tools-harbor.wmcloud.org/tool-${build.tool}/${imageName}:latest${status === 'BUILD_SUCCESS' ? `@sha256:${build.digest}` : ''}`
    return {
      build_id: build.id,
      start_time: status === 'BUILD_PENDING' ? '' : iso(build.created + build.pendingS),
      end_time: done ? iso(build.created + build.pendingS + build.runningS) : '',
      status,
      message: messages[status] ?? '',
      parameters: {
        source_url: build.params.source_url ?? '',
        ref: build.params.ref ?? '',
        envvars: build.params.envvars ?? {},
        use_latest_versions: Boolean(build.params.use_latest_versions),
        use_deprecated_versions: Boolean(build.params.use_deprecated_versions),
        image_name: build.params.image_name ?? ''
      },
      destination_image: image,
      resolved_ref: build.resolvedRef
    }
  }

  async startBuild(tool: string, params: Json): Promise<Answer> {
    const unfinished = [...this.builds.values()].filter(
      (b) => b.tool === tool && ['BUILD_PENDING', 'BUILD_RUNNING'].includes(this.status(b))
    )
    const max = this.knobs.max_parallel_builds
    if (unfinished.length >= max) {
      return [
        409,
        {
          error: [
            `Got too many builds running (${unfinished.length} out of ${max} max), cancel some or wait for them to finish`
          ]
        }
      ]
    }
    const source = String(params.source_url ?? '')
    const ref = String(params.ref || 'HEAD')
    const resolvedRef = await lsRemote(source, ref)
    if (!resolvedRef)
      return [400, { error: [`Failed to resolve ref ${ref}, maybe the repository ${source} is not public?`] }]
    const timing = { ...this.knobs, ...this.knobs.tool_overrides[tool] }
    const build: Build = {
      id: `${tool}-buildpacks-pipelinerun-${randomText(ALPHANUMERIC, 5)}`,
      tool,
      params,
      resolvedRef,
      created: Date.now() / 1000,
      pendingS: Number(timing.build_pending_s),
      runningS: Number(timing.build_running_s),
      outcome: this.knobs.fail_refs.includes(ref) ? 'BUILD_FAILURE' : 'BUILD_SUCCESS',
      digest: randomText('0123456789abcdef', 64),
      cancelled: false
    }
    this.builds.set(build.id, build)
    return [
      200,
      {
        new_build: { name: build.id, parameters: this.view(build).parameters, resolved_ref: resolvedRef },
        messages: {}
      }
    ]
  }

  upsertJob(tool: string, job: Json): Answer {
    const name = String(job.name ?? '')
    if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(name)) return [400, { error: [`Invalid job name '${name}'`] }]
    if (typeof job.memory === 'string' && job.memory) {
      const gi = memoryGi(job.memory)
      if (gi === undefined) return [400, { error: [`Invalid memory value '${job.memory}'`] }]
      if (gi > this.knobs.max_memory_gi) {
        return [
          400,
          {
            error: [
              `Requested memory ${job.memory} is over maximum allowed per container (${this.knobs.max_memory_gi}Gi)`
            ]
          }
        ]
      }
    }
    if (job.job_type === 'scheduled' && !validSchedule(String(job.schedule ?? ''))) {
      return [400, { error: [`Unable to parse cron expression '${String(job.schedule)}'`] }]
    }
    const toolJobs = this.jobs.get(tool) ?? new Map<string, Json>()
    this.jobs.set(tool, toolJobs)
    const before = toolJobs.get(name)
    const said = (info: string) =>
      [
        200,
        {
          job_changed: info !== 'is already up to date',
          messages: { info: [`Job ${name} ${info}`], warning: [], error: [] }
        }
      ] as Answer
    toolJobs.set(name, job)
    if (!before) return said('created in storage and runtime')
    return JSON.stringify(before) === JSON.stringify(job)
      ? said('is already up to date')
      : said('was updated in storage and runtime')
  }

  gitFile(path: string): Buffer | undefined {
    const root = realpathSync(this.gitRoot)
    const full = join(root, decodeURIComponent(path))
    if (!existsSync(full)) return undefined
    const real = realpathSync(full)
    return real.startsWith(root + sep) && statSync(real).isFile() ? readFileSync(real) : undefined
  }

  /** The first fault set for this call of this tool, used once. */
  takeFault(call: ServiceFault['call'], tool: string): ServiceFault | undefined {
    const at = this.knobs.faults.findIndex((f) => f.call === call && (f.tool === undefined || f.tool === tool))
    if (at < 0) return undefined
    const fault = this.knobs.faults[at]!
    const left = (fault.times ?? 1) - 1
    this.knobs.faults = this.knobs.faults.flatMap((f, i) => (i !== at ? [f] : left > 0 ? [{ ...f, times: left }] : []))
    return fault
  }

  /** A fault's answer: Toolforge's services answer an error as Flask does, or not at all. */
  faultAnswer(fault: ServiceFault, what: string): Promise<Answer> | Answer {
    if (fault.answer === 'hang') return new Promise<Answer>(() => {})
    if (fault.answer === 'lost') return [404, { error: [`Build with id ${what} not found.`] }]
    return [500, { error: ['Internal server error'] }]
  }

  /** The knobs' latency, before every builds and jobs call: the services a production pass waits on. */
  async delay(path: string): Promise<void> {
    const { latency_ms: latency, latency_jitter_ms: jitter } = this.knobs
    const ms = Number(latency) + (Number(jitter) ? (Math.random() * 2 - 1) * Number(jitter) : 0)
    if (ms > 0 && (path.startsWith('/builds/') || path.startsWith('/jobs/')))
      await new Promise((done) => setTimeout(done, ms))
  }

  async answer(method: string, path: string, body: Json | undefined): Promise<Answer | [number, Buffer, string]> {
    if (path.startsWith('/git/')) {
      const file = this.gitFile(path.slice('/git/'.length))
      return file ? [200, file, 'text/plain'] : [404, Buffer.from('not found'), 'text/plain']
    }
    if (path === '/__fake/config' && method === 'POST') {
      // Faults are added to those set before, each for its tool, so that tests running at once keep theirs.
      const given = body as Partial<Knobs>
      this.knobs = { ...this.knobs, ...given, faults: [...this.knobs.faults, ...(given.faults ?? [])] }
      return [200, this.knobs]
    }
    if (path === '/__fake/reset' && method === 'POST') {
      this.knobs = structuredClone(DEFAULTS)
      this.builds.clear()
      this.jobs.clear()
      return [200, { ok: true }]
    }
    if (path === '/__fake/state' && method === 'GET') {
      return [
        200,
        {
          config: this.knobs,
          builds: [...this.builds.values()].map((b) => this.view(b)),
          jobs: Object.fromEntries([...this.jobs].map(([t, j]) => [t, Object.fromEntries(j)]))
        }
      ]
    }
    let match = /^\/builds\/v1\/tool\/([^/]+)\/builds(?:\/([^/]+))?(\/cancel)?\/?$/.exec(path)
    if (match) {
      const [, tool, id, cancel] = match as unknown as [string, string, string | undefined, string | undefined]
      if (!id && method === 'GET')
        return [
          200,
          { builds: [...this.builds.values()].filter((b) => b.tool === tool).map((b) => this.view(b)), messages: {} }
        ]
      const fault =
        method === 'POST' && !id
          ? this.takeFault('build-start', tool)
          : method === 'GET' && id && !cancel
            ? this.takeFault('build-status', tool)
            : undefined
      if (fault) return this.faultAnswer(fault, id ?? '')
      if (!id && method === 'POST') return this.startBuild(tool, body ?? {})
      const build = id ? this.builds.get(id) : undefined
      if (!build || build.tool !== tool) return [404, { error: [`Build with id ${id} not found.`] }]
      if (cancel && method === 'PUT') {
        build.cancelled = true
        return [200, { id, messages: {} }]
      }
      if (method === 'GET') return [200, { build: this.view(build), messages: {} }]
    }
    match = /^\/jobs\/v1\/tool\/([^/]+)\/jobs(?:\/([^/]+))?(\/restart)?\/?$/.exec(path)
    if (match) {
      const [, tool, name, restart] = match as unknown as [string, string, string | undefined, string | undefined]
      const fault = !name && method === 'PATCH' ? this.takeFault('job', tool) : undefined
      if (fault) return this.faultAnswer(fault, name ?? '')
      if (!name && method === 'PATCH') return this.upsertJob(tool, body ?? {})
      if (!name && method === 'GET')
        return [
          200,
          { jobs: [...(this.jobs.get(tool)?.values() ?? [])], messages: { info: [], warning: [], error: [] } }
        ]
      if (name && restart && method === 'POST') {
        if (!this.jobs.get(tool)?.has(name)) return [404, { error: [`Job '${name}' does not exist`] }]
        return [200, { messages: { info: [], warning: [], error: [] } }]
      }
    }
    return [404, { error: [`no route ${method} ${path}`] }]
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function serveBackends(backends: Backends): Server {
  return createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request)
      let body: Json | undefined
      try {
        body = raw.length ? (JSON.parse(raw.toString()) as Json) : undefined
      } catch {
        body = undefined
      }
      const path = new URL(request.url ?? '/', 'http://x').pathname
      await backends.delay(path)
      const [status, payload, type] = await backends.answer(request.method ?? 'GET', path, body)
      const data = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload))
      response.writeHead(status, { 'content-type': type ?? 'application/json', 'content-length': data.length })
      response.end(data)
    })()
  })
}

const TOKEN_IN_QUERY = /(token=)[^&\s]+/g
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const redactLogged = (text: string) => text.replace(TOKEN_IN_QUERY, '$1<TOKEN>').replace(UUID, '<TOKEN>')

/** Toolforge's API gateway in miniature: `/components/...` goes to the app as `/...`. */
function serveGateway(appPort: number, log: string): Server {
  return createServer((request, response) => {
    const started = Date.now()
    const url = new URL(request.url ?? '/', 'http://x')
    const path =
      url.pathname === '/components' || url.pathname.startsWith('/components/')
        ? url.pathname.slice('/components'.length) || '/'
        : url.pathname
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: appPort,
        method: request.method,
        path: `${path}${url.search}`,
        headers: request.headers
      },
      (answer: IncomingMessage) => {
        const chunks: Buffer[] = []
        answer.on('data', (chunk: Buffer) => chunks.push(chunk))
        answer.on('end', () => {
          const body = Buffer.concat(chunks)
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          response.end(body)
          const entry = {
            t: started / 1000,
            ms: Date.now() - started,
            method: request.method,
            path: url.pathname,
            query: redactLogged(url.search.slice(1)),
            x_toolforge_tool: request.headers['x-toolforge-tool'] ?? null,
            user_agent: request.headers['user-agent'] ?? null,
            status: answer.statusCode,
            response_body: redactLogged(body.toString())
          }
          appendFileSync(log, `${JSON.stringify(entry)}\n`)
        })
      }
    )
    upstream.on('error', () => {
      response.writeHead(502, { 'content-type': 'text/html' })
      response.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
    })
    request.pipe(upstream)
  })
}

function appOutput(child: ChildProcess): () => string {
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return () => output
}

export interface StandInsOptions {
  gitRoot: string
  /** A checkout of the Components API (its `components/` package and `pyproject.toml`). */
  upstream: string
  python: string
  /** Where the gateway appends one JSON line per request. */
  log: string
  /** More folders for Python to import from (e.g. where upstream's dependencies are). */
  pythonPath?: string
}

export interface StandIns {
  apiUrl: string
  backendsUrl: string
  stop(): Promise<void>
}

/**
 * Starts the stand-ins and upstream's app (uvicorn, mock storage, Toolforge runtime).
 * Python finds the project's toolforge_weld stand-in first, then the checkout, then
 * `pythonPath`.
 */
export async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  const backends = new Backends(options.gitRoot)
  const backendsServer = serveBackends(backends)
  const backendsUrl = `http://127.0.0.1:${await listen(backendsServer)}`
  const probe = createServer()
  const appPort = await listen(probe)
  await new Promise((resolve) => probe.close(resolve))
  const python = join(dirname(fileURLToPath(import.meta.url)), 'python')
  const pythonPath = [python, options.upstream, options.pythonPath, process.env.PYTHONPATH]
    .filter(Boolean)
    .join(delimiter)
  const app = spawn(
    options.python,
    [
      '-m',
      'uvicorn',
      '--factory',
      'components.main:create_app',
      '--host',
      '127.0.0.1',
      '--port',
      String(appPort),
      '--log-level',
      'warning'
    ],
    {
      cwd: options.upstream,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONPATH: pythonPath,
        PYTHONDONTWRITEBYTECODE: '1',
        STORAGE_TYPE: 'mock',
        RUNTIME_TYPE: 'toolforge',
        TOOLFORGE_API_URL: backendsUrl,
        VERIFY_TOOLFORGE_API_CERT: 'false',
        LOG_LEVEL: 'warning'
      }
    }
  )
  const output = appOutput(app)
  const gateway = serveGateway(appPort, options.log)
  const apiUrl = `http://127.0.0.1:${await listen(gateway)}`
  const closeServers = async () => {
    await new Promise((resolve) => gateway.close(resolve))
    await new Promise((resolve) => backendsServer.close(resolve))
  }
  const stop = async () => {
    if (app.exitCode === null && app.signalCode === null) {
      const exited = new Promise((resolve) => app.once('exit', resolve))
      app.kill('SIGTERM')
      await exited
    }
    await closeServers()
  }
  const until = Date.now() + 30_000
  for (;;) {
    if (app.exitCode !== null) {
      await closeServers()
      throw new Error(`upstream's app exited (code ${app.exitCode}):\n${output()}`)
    }
    try {
      const health = await fetch(`http://127.0.0.1:${appPort}/v1/healthz`)
      await health.body?.cancel()
      if (health.ok) return { apiUrl, backendsUrl, stop }
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop()
      throw new Error(`upstream's app did not answer within 30s:\n${output()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
