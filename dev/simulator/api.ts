import { randomChars, seededRandom, type Random } from './random.js'
import {
  finalAtMs,
  HOSTILE_TEXT,
  scaleTimeline,
  scenario,
  stateAt,
  trajectory,
  type ComponentPlan,
  type ScenarioName,
  type Snapshot,
  type StateContext,
  type Timeline
} from './scenarios.js'

/**
 * The Components API without the network, answering as the real server does (upstream
 * 0.6.0, checked against it by the differential test): its routes and the order of its
 * checks (JSON body, then authentication, then parameters, then the handler), its
 * envelopes (unset fields absent, `messages` as each route fills them), its texts, and
 * the one-deployment-at-a-time rule counting only `pending` and `running` deployments.
 * With the gateway's `x-toolforge-tool` header it also reads, lists and cancels
 * deployments, as a maintainer can; the other maintainer routes (config, tokens) are not
 * simulated and answer 501.
 */

export interface SimRequest {
  method: string
  /** Path and query, as received. */
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface SimResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export type ToolToken = { kind: 'token'; token: string } | { kind: 'none' } | { kind: 'expired'; token: string }

interface StoredDeployment {
  tool: string
  deployId: string
  createdAt: number
  timeline: Timeline
  context: StateContext
  description: string
  forceBuild: boolean
  forceRun: boolean
  snapshots: Snapshot[]
  /** When a maintainer asked to cancel it. */
  cancelledAt?: number
}

export interface SimApiOptions {
  /** The token every tool accepts unless told otherwise. */
  token: string
  scenario?: ScenarioName | Timeline
  /** Stretches (>1) or shrinks (<1) every scenario's times, the server's pace included. */
  timeScale?: number
  seed?: number
  now?: () => number
  /**
   * `next`: upstream's changes not yet on its main branch, as `serve.py --upstream next`
   * runs them: a deployment created while others are active waits `pending` in the
   * server's queue (its loop looks every 5 s) instead of a 409, up to 20 active ones;
   * creation times in ISO 8601.
   */
  upstream?: 'current' | 'next'
}

export const BETA_WARNING = 'You are using a beta feature of Toolforge.'
const KEPT_PER_TOOL = 25
const ACTIVE = new Set(['pending', 'running'])
/** The next server's queue: its loop's pause, and how many deployments may be active. */
const QUEUE_PASS_MS = 5_000
const MAX_ACTIVE_NEXT = 20
const TOKEN_DENIED = "The 'x-toolforge-tool' header or a token are required"
const HEADER_REQUIRED = "The 'x-toolforge-tool' header is required"

type Auth = 'none' | 'header' | 'token'
interface Route {
  method: string
  pattern: RegExp
  auth: Auth
  name: string
}

// Upstream's routes in the order its router tries them; the first whose path matches decides.
const ROUTES: Route[] = [
  ['GET', /^\/healthz$/, 'none', 'healthz'],
  ['GET', /^\/tool\/([^/]+)\/config$/, 'header', 'config'],
  ['POST', /^\/tool\/([^/]+)\/config$/, 'header', 'config'],
  ['DELETE', /^\/tool\/([^/]+)\/config$/, 'header', 'config'],
  ['GET', /^\/tool\/([^/]+)\/config\/generate$/, 'header', 'config'],
  ['GET', /^\/tool\/([^/]+)\/deployment\/token$/, 'header', 'token'],
  ['GET', /^\/tool\/([^/]+)\/deployment\/latest$/, 'header', 'latest'],
  ['GET', /^\/tool\/([^/]+)\/deployment\/([^/]+)$/, 'token', 'read'],
  ['PUT', /^\/tool\/([^/]+)\/deployment\/latest\/cancel$/, 'header', 'cancel-latest'],
  ['PUT', /^\/tool\/([^/]+)\/deployment\/([^/]+)\/cancel$/, 'header', 'cancel'],
  ['GET', /^\/tool\/([^/]+)\/deployment$/, 'header', 'list'],
  ['POST', /^\/tool\/([^/]+)\/deployment$/, 'token', 'create'],
  ['POST', /^\/tool\/([^/]+)\/deployment\/token$/, 'header', 'token'],
  ['PUT', /^\/tool\/([^/]+)\/deployment\/token$/, 'header', 'token'],
  ['DELETE', /^\/tool\/([^/]+)\/deployment\/token$/, 'header', 'token'],
  ['DELETE', /^\/tool\/([^/]+)\/deployment\/([^/]+)$/, 'header', 'delete']
].map(([method, pattern, auth, name]) => ({ method, pattern, auth, name }) as Route)

function json(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }
}

/** An error as upstream's exception handlers shape it: no `data`, the beta warning. */
function apiError(status: number, ...errors: string[]): SimResponse {
  return json(status, { messages: { info: [], warning: [BETA_WARNING], error: errors } })
}

const PYDANTIC_TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y'])
const PYDANTIC_FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n'])

function utcStamp(ms: number): string {
  const iso = new Date(ms).toISOString()
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`
}

function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Where Python's json module stops reading a body, and its message: enough of a JSON
 * reader to find the first character that cannot continue the document.
 */
export function jsonProblem(text: string): string {
  let i = 0
  const fail = (message: string, at = i): never => {
    throw new Error(`Invalid JSON at position ${at}: ${message}`)
  }
  const space = () => {
    while (/\s/.test(text[i] ?? '')) i++
  }
  const string = () => {
    const start = i++
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    if (i >= text.length) fail('Unterminated string starting at', start)
    i++
  }
  const value = (): void => {
    space()
    const c = text[i]
    if (c === '{') {
      i++
      space()
      if (text[i] === '}') return void i++
      for (;;) {
        space()
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes')
        string()
        space()
        if (text[i] !== ':') fail("Expecting ':' delimiter")
        i++
        value()
        space()
        if (text[i] === '}') return void i++
        if (text[i] !== ',') fail("Expecting ',' delimiter")
        i++
      }
    }
    if (c === '[') {
      i++
      space()
      if (text[i] === ']') return void i++
      for (;;) {
        value()
        space()
        if (text[i] === ']') return void i++
        if (text[i] !== ',') fail("Expecting ',' delimiter")
        i++
      }
    }
    if (c === '"') return string()
    const literal = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i))
    if (!literal) fail('Expecting value')
    i += literal![0].length
  }
  try {
    value()
    space()
    if (i < text.length) fail('Extra data')
    return ''
  } catch (error) {
    return (error as Error).message
  }
}

/** Where a tool's repository is when nothing serves it: never asked, as nothing reads it without HTTP. */
const REPOSITORIES_UNSERVED = 'https://gitlab.wikimedia.org/toolforge-repos'

function configOf(tool: string, components: ComponentPlan[], repositories: string): Record<string, unknown> {
  return {
    config_version: 'v1beta1',
    components: Object.fromEntries(
      components.map((c) => {
        const build =
          c.build.kind === 'reuse-from'
            ? { reuse_from: c.build.from }
            : { repository: `${repositories}/${tool}.git`, ref: 'main' }
        const run: Record<string, unknown> =
          c.type === 'scheduled'
            ? { command: `python ${c.name}.py`, schedule: '@hourly' }
            : { command: c.name === 'web' ? 'gunicorn app:app' : `python ${c.name}.py` }
        if (c.publish)
          Object.assign(
            run,
            { port: 8000, publish: '/' },
            c.publish.healthCheck ? { health_check_http: c.publish.healthCheck } : {}
          )
        return [c.name, { build, run, component_type: c.type ?? 'continuous' }]
      })
    )
  }
}

export class SimulatedApi {
  readonly random: Random
  private readonly now: () => number
  private readonly defaultToken: string
  private readonly timeScale: number
  private readonly next: boolean
  private defaultScenario: Timeline
  private readonly scenarios = new Map<string, Timeline>()
  /** Timelines for the tool's next deployments, one each, before its scenario applies again. */
  private readonly upcoming = new Map<string, Timeline[]>()
  private readonly tokens = new Map<string, ToolToken>()
  private readonly withoutConfig = new Set<string>()
  /** A tool_config given whole, as a hostile or unusual server would send it. */
  private readonly configs = new Map<string, (repositories: string) => unknown>()
  private readonly store = new Map<string, StoredDeployment[]>()
  /** Where the tools' repositories are, as their configs name them (ToolforgeSimulator serves them). */
  repositories = REPOSITORIES_UNSERVED

  constructor(options: SimApiOptions) {
    this.defaultToken = options.token
    this.timeScale = options.timeScale ?? 1
    this.next = options.upstream === 'next'
    this.random = seededRandom(options.seed ?? 1)
    this.now = options.now ?? Date.now
    this.defaultScenario = this.timeline(options.scenario ?? 'success')
  }

  private timeline(which: ScenarioName | Timeline): Timeline {
    return scaleTimeline(typeof which === 'string' ? scenario(which) : which, this.timeScale)
  }

  /** Deployments of `tool` (of every tool, without one) created from now on follow this scenario. */
  setScenario(tool: string | undefined, which: ScenarioName | Timeline): void {
    if (tool === undefined) this.defaultScenario = this.timeline(which)
    else this.scenarios.set(tool, this.timeline(which))
  }

  /** The tool's next deployments follow these timelines, one each, in order; then its scenario again. */
  setNextScenarios(tool: string, ...which: Array<ScenarioName | Timeline>): void {
    this.upcoming.set(
      tool,
      which.map((each) => this.timeline(each))
    )
  }

  setToolToken(tool: string, token: ToolToken): void {
    this.tokens.set(tool, token)
  }

  removeConfig(tool: string): void {
    this.withoutConfig.add(tool)
  }

  /** Deployments of `tool` carry this tool_config, made from where the repositories are served. */
  setToolConfig(tool: string, config: (repositories: string) => unknown): void {
    this.configs.set(tool, config)
  }

  /** Starts a deployment of `tool` outside any client, busy for about `ms`: a 409 meanwhile. */
  occupy(tool: string, ms: number): string {
    const timeline: Timeline = { components: [{ name: 'web', build: { kind: 'source', queueMs: 0, buildMs: ms } }] }
    return this.create(tool, scaleTimeline(timeline, 1), 'started by a maintainer', false, false).deployId
  }

  /** What a maintainer's `PUT .../cancel` does. */
  cancel(tool: string, deployId: string): SimResponse {
    return this.handle({
      method: 'PUT',
      url: `/components/v1/tool/${tool}/deployment/${deployId}/cancel`,
      headers: { 'x-toolforge-tool': tool },
      body: ''
    })
  }

  /** What a maintainer's `DELETE .../deployment/<id>` does; Toolforge's pruning past a tool's last 25 looks the same. */
  remove(tool: string, deployId: string): SimResponse {
    return this.handle({
      method: 'DELETE',
      url: `/components/v1/tool/${tool}/deployment/${deployId}`,
      headers: { 'x-toolforge-tool': tool },
      body: ''
    })
  }

  deploymentsOf(tool: string): Array<{ deployId: string; createdAt: number; finalAt: number; description: string }> {
    return (this.store.get(tool) ?? []).map((d) => ({
      deployId: d.deployId,
      createdAt: d.createdAt,
      finalAt: d.createdAt + finalAtMs(d.snapshots),
      description: d.description
    }))
  }

  private create(
    tool: string,
    timeline: Timeline,
    description: string,
    forceBuild: boolean,
    forceRun: boolean
  ): StoredDeployment {
    const createdAt = this.now()
    const chars = (n: number) => randomChars(this.random, n)
    const digest = () => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(this.random() * 16)]).join('')
    const built = (c: ComponentPlan) => c.build.kind === 'source' || (forceBuild && c.build.kind === 'reused')
    const components = timeline.components.map((c) =>
      forceBuild && c.build.kind === 'reused'
        ? { ...c, build: { kind: 'source' as const, queueMs: 500, buildMs: 2_000 } }
        : c
    )
    const effective = { ...timeline, components }
    const context: StateContext = {
      tool,
      buildIds: Object.fromEntries(
        components.filter(built).map((c) => [c.name, `${tool}-buildpacks-pipelinerun-${chars(5)}`])
      ),
      reusedBuilds: Object.fromEntries(
        components
          .filter((c) => c.build.kind === 'reused')
          .map((c) => [
            c.name,
            {
              id: `${tool}-buildpacks-pipelinerun-${chars(5)}`,
              image: `tools-harbor.wmcloud.org/tool-${tool}/${c.name}:latest@sha256:${digest()}`
            }
          ])
      ),
      digests: Object.fromEntries(components.map((c) => [c.name, digest()])),
      creationTime: new Date(createdAt),
      forceRun
    }
    const deployment: StoredDeployment = {
      tool,
      deployId: `${utcStamp(createdAt)}-${chars(10)}`,
      createdAt,
      timeline: effective,
      context,
      description,
      forceBuild,
      forceRun,
      snapshots: trajectory(effective, context)
    }
    this.store.set(tool, [...(this.store.get(tool) ?? []), deployment].slice(-KEPT_PER_TOOL))
    return deployment
  }

  /** How long a new deployment waits behind `active` ones: until the queue pass after the last one ends. */
  private queueWait(active: StoredDeployment[]): number {
    if (active.length === 0) return 0
    const freeAt = Math.max(...active.map((d) => d.createdAt + finalAtMs(d.snapshots)))
    const pass = QUEUE_PASS_MS * this.timeScale
    return Math.ceil(Math.max(0, freeAt - this.now()) / pass) * pass
  }

  private statusOf(d: StoredDeployment, elapsed = this.now() - d.createdAt): string {
    const status = stateAt(d.snapshots, elapsed).status ?? 'pending'
    const odd = d.timeline.unknownStatus
    if (odd && status === 'running' && elapsed >= odd.fromMs && elapsed < odd.toMs) return odd.status
    const cancelAt = d.cancelledAt ?? d.timeline.cancelAtMs
    if (cancelAt !== undefined && elapsed >= cancelAt && ACTIVE.has(status)) return 'cancelling'
    return status
  }

  private view(d: StoredDeployment, elapsed = this.now() - d.createdAt): Record<string, unknown> {
    const state = stateAt(d.snapshots, elapsed)
    const view: Record<string, unknown> = {
      deploy_id: d.deployId,
      creation_time: this.next ? new Date(d.createdAt).toISOString().replace(/\.\d+Z$/, 'Z') : utcStamp(d.createdAt),
      description: d.description,
      builds: state.builds,
      runs: state.runs,
      tool_config:
        this.configs.get(d.tool)?.(this.repositories) ?? configOf(d.tool, d.timeline.components, this.repositories)
    }
    const status = this.statusOf(d, elapsed)
    if (state.status !== undefined || status === 'cancelling') view.status = status
    if (state.long_status !== undefined) view.long_status = state.long_status
    view.force_build = d.forceBuild
    view.force_run = d.forceRun
    return view
  }

  private hostileMessages(d: StoredDeployment): Record<string, string[]> {
    return d.timeline.hostile ? { info: [HOSTILE_TEXT] } : {}
  }

  private checkToken(tool: string, request: SimRequest, query: URLSearchParams): SimResponse | undefined {
    if (header(request, 'x-toolforge-tool')) return undefined
    const given = query.get('token') ?? ''
    if (given === '') return apiError(401, TOKEN_DENIED)
    const expected = this.tokens.get(tool) ?? { kind: 'token', token: this.defaultToken }
    if (expected.kind === 'none')
      return apiError(401, `The tool '${tool}' has no deploy token yet, you have to create one before using it`)
    if (given !== expected.token) return apiError(401, `The token passed '${given}' does not match the tool's token`)
    if (expected.kind === 'expired')
      return apiError(401, `The token passed '${given}' has expired, please create a new one`)
    return undefined
  }

  /** Answers one request, as it reaches the app behind the gateway. */
  handle(request: SimRequest): SimResponse {
    const url = new URL(request.url, 'http://simulator.invalid')
    const path = url.pathname.startsWith('/components/v1/') ? url.pathname.slice('/components/v1'.length) : undefined
    const matching = path === undefined ? [] : ROUTES.filter((r) => r.pattern.test(path))
    const route = matching.find((r) => r.method === request.method)
    if (!route)
      return apiError(matching.length > 0 ? 405 : 404, matching.length > 0 ? 'Method Not Allowed' : 'Not Found')
    if (route.name === 'healthz')
      return json(200, { data: { status: 'OK' }, messages: { info: [], warning: [BETA_WARNING], error: [] } })
    const [, rawTool, rawId] = route.pattern.exec(path!)!
    const tool = decodeURIComponent(rawTool!)
    // The body is decoded before anything else is checked.
    const problem = route.name === 'create' && request.body.trim() !== '' ? jsonProblem(request.body) : ''
    if (problem) return apiError(422, problem)
    if (route.auth === 'header' && !header(request, 'x-toolforge-tool')) return apiError(401, HEADER_REQUIRED)
    if (route.auth === 'token') {
      const refused = this.checkToken(tool, request, url.searchParams)
      if (refused) return refused
    }
    const id = rawId === undefined ? undefined : decodeURIComponent(rawId)
    switch (route.name) {
      case 'create':
        return this.createFrom(tool, url.searchParams, request.body)
      case 'read':
        return this.read(tool, id!)
      case 'list':
        return json(200, { data: { deployments: (this.store.get(tool) ?? []).map((d) => this.view(d)) }, messages: {} })
      case 'latest': {
        const latest = this.store.get(tool)?.at(-1)
        return latest
          ? json(200, { data: this.view(latest), messages: {} })
          : apiError(404, `No deployments found for tool: ${tool}`)
      }
      case 'cancel':
      case 'cancel-latest':
        return this.cancelDeployment(tool, route.name === 'cancel' ? id! : this.store.get(tool)?.at(-1)?.deployId)
      case 'delete':
        return this.deleteDeployment(tool, id!)
      default:
        return apiError(501, `The simulator does not simulate ${request.method} ${url.pathname}`)
    }
  }

  private find(tool: string, deployId: string | undefined): StoredDeployment | undefined {
    return (this.store.get(tool) ?? []).find((d) => d.deployId === deployId)
  }

  private read(tool: string, deployId: string): SimResponse {
    const found = this.find(tool, deployId)
    if (!found) return apiError(404, `Deployment ${deployId} not found for tool: ${tool}`)
    return json(200, { data: this.view(found), messages: this.hostileMessages(found) })
  }

  private deleteDeployment(tool: string, deployId: string): SimResponse {
    const found = this.find(tool, deployId)
    if (!found) return apiError(404, `Deployment ${deployId} not found for tool: ${tool}`)
    this.store.set(
      tool,
      this.store.get(tool)!.filter((d) => d !== found)
    )
    return json(200, { data: this.view(found), messages: {} })
  }

  private cancelDeployment(tool: string, deployId: string | undefined): SimResponse {
    const found = this.find(tool, deployId)
    if (!found)
      return apiError(
        404,
        deployId ? `Deployment ${deployId} not found for tool: ${tool}` : `No deployments found for tool: ${tool}`
      )
    const status = this.statusOf(found)
    if (!ACTIVE.has(status)) return apiError(409, `Deployment can't be cancelled, it's state is ${status}`)
    found.cancelledAt = this.now() - found.createdAt
    found.snapshots = trajectory(found.timeline, found.context, found.cancelledAt)
    return json(200, {
      data: this.view(found),
      messages: { info: ['Deployment flagged for cancellation, might take a moment to cancel.'] }
    })
  }

  private createFrom(tool: string, query: URLSearchParams, rawBody: string): SimResponse {
    // Every parameter problem at once, in upstream's wording.
    const problems: string[] = []
    const flag = (name: string): boolean => {
      const value = query.get(name)
      if (value === null) return false
      const lower = value.toLowerCase()
      if (PYDANTIC_TRUE.has(lower)) return true
      if (!PYDANTIC_FALSE.has(lower))
        problems.push(
          `Validation error at ${name}: Input should be a valid boolean, unable to interpret input. Received value: '${value}'`
        )
      return false
    }
    const forceBuild = flag('force-build')
    const forceRun = flag('force-run')
    let description = ''
    const body: unknown = rawBody.trim() === '' ? null : JSON.parse(rawBody)
    if (body !== null) {
      if (typeof body !== 'object' || Array.isArray(body)) {
        problems.push(
          `Validation error at : Input should be a valid dictionary or object to extract fields from. Received value: '${JSON.stringify(body)}'`
        )
      } else {
        const given = (body as Record<string, unknown>).description
        if (given !== undefined && typeof given !== 'string') {
          problems.push(
            `Validation error at description: Input should be a valid string${given === null ? '' : `. Received value: '${String(given)}'`}`
          )
        } else description = given ?? ''
      }
    }
    if (problems.length > 0) return apiError(422, ...problems)
    if (this.withoutConfig.has(tool)) return apiError(404, `No configuration found for tool: ${tool}`)
    const active = (this.store.get(tool) ?? []).filter((d) => ACTIVE.has(this.statusOf(d)))
    if (!this.next && active.length > 0)
      return apiError(409, `There's already ${active.length} running, the limit is 1. Wait for it to finish for now.`)
    if (active.length >= MAX_ACTIVE_NEXT) {
      return apiError(
        409,
        `There's already ${active.length}, the limit is ${MAX_ACTIVE_NEXT}. Wait for some deployments to finish. You can also cancel some deployments`
      )
    }
    const timeline = this.upcoming.get(tool)?.shift() ?? this.scenarios.get(tool) ?? this.defaultScenario
    const wait = this.queueWait(active)
    const created = this.create(
      tool,
      wait > 0 ? { ...timeline, pendingMs: Math.max(timeline.pendingMs ?? 0, wait) } : timeline,
      description,
      forceBuild,
      forceRun
    )
    const info = [`Deployment for ${tool} created successfully.`, ...(this.hostileMessages(created).info ?? [])]
    // The deployment as created, as the real server answers it before its task starts:
    // under load the clock may have moved on since `create`.
    return json(200, { data: this.view(created, 0), messages: { info } })
  }
}
