import { randomChars, seededRandom, type Random } from './random.js'
import { finalAtMs, HOSTILE_TEXT, scaleTimeline, scenario, stateAt, type ScenarioName, type Timeline } from './scenarios.js'

/**
 * The Components API as a deploy token sees it, without the network: paths, token
 * checks, the one-deployment-at-a-time rule, envelopes and the deployment state machine,
 * after the OpenAPI document and API-NOTES.md.
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
  description: string
  forceBuild: boolean
  forceRun: boolean
  buildIds: Record<string, string>
}

export interface SimApiOptions {
  /** The token every tool accepts unless told otherwise. */
  token: string
  scenario?: ScenarioName | Timeline
  /** Stretches (>1) or shrinks (<1) every scenario's times. */
  timeScale?: number
  seed?: number
  now?: () => number
}

export const BETA_WARNING = 'You are using a beta feature of Toolforge.'
const KEPT_PER_TOOL = 25
const PREFIX = '/components/v1'

function envelope(data: unknown, messages: Partial<Record<'info' | 'warning' | 'error', string[]>> = {}): string {
  return JSON.stringify({
    ...(data === undefined ? {} : { data }),
    messages: { info: messages.info ?? [], warning: messages.warning ?? [], error: messages.error ?? [] }
  })
}

function json(status: number, body: string): SimResponse {
  return { status, headers: { 'content-type': 'application/json' }, body }
}

function apiError(status: number, detail: string): SimResponse {
  return json(status, envelope(undefined, { error: [detail] }))
}

const PYDANTIC_TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y'])
const PYDANTIC_FALSE = new Set(['false', '0', 'no', 'off', 'f', 'n'])

function utcStamp(ms: number, withSeconds = true): string {
  const iso = new Date(ms).toISOString()
  const date = iso.slice(0, 10).replace(/-/g, '')
  const time = iso.slice(11, 19).replace(/:/g, '')
  return withSeconds ? `${date}-${time}` : date
}

export class SimulatedApi {
  readonly random: Random
  private readonly now: () => number
  private readonly defaultToken: string
  private readonly timeScale: number
  private defaultScenario: Timeline
  private readonly scenarios = new Map<string, Timeline>()
  private readonly tokens = new Map<string, ToolToken>()
  private readonly withoutConfig = new Set<string>()
  private readonly store = new Map<string, StoredDeployment[]>()

  constructor(options: SimApiOptions) {
    this.defaultToken = options.token
    this.timeScale = options.timeScale ?? 1
    this.random = seededRandom(options.seed ?? 1)
    this.now = options.now ?? Date.now
    this.defaultScenario = this.timeline(options.scenario ?? 'success')
  }

  private timeline(which: ScenarioName | Timeline): Timeline {
    return scaleTimeline(typeof which === 'string' ? scenario(which) : which, this.timeScale)
  }

  /** Deployments of `tool` created from now on follow this scenario. */
  setScenario(tool: string | undefined, which: ScenarioName | Timeline): void {
    if (tool === undefined) this.defaultScenario = this.timeline(which)
    else this.scenarios.set(tool, this.timeline(which))
  }

  setToolToken(tool: string, token: ToolToken): void {
    this.tokens.set(tool, token)
  }

  removeConfig(tool: string): void {
    this.withoutConfig.add(tool)
  }

  /** Starts a deployment of `tool` outside any client, busy for `ms`: a 409 meanwhile. */
  occupy(tool: string, ms: number): string {
    const timeline: Timeline = { pendingMs: 0, finalizeMs: 0, components: [{ name: 'web', buildStartMs: 0, buildEndMs: ms, runMs: 0 }] }
    return this.create(tool, timeline, 'started by a maintainer', false, false).deployId
  }

  deploymentsOf(tool: string): Array<{ deployId: string; createdAt: number; finalAt: number }> {
    return (this.store.get(tool) ?? []).map((d) => ({ deployId: d.deployId, createdAt: d.createdAt, finalAt: d.createdAt + finalAtMs(d.timeline) }))
  }

  private create(tool: string, timeline: Timeline, description: string, forceBuild: boolean, forceRun: boolean): StoredDeployment {
    const createdAt = this.now()
    const deployment: StoredDeployment = {
      tool,
      deployId: `${utcStamp(createdAt)}-${randomChars(this.random, 10)}`,
      createdAt,
      timeline,
      description,
      forceBuild,
      forceRun,
      buildIds: Object.fromEntries(
        timeline.components.map((c) => [c.name, `${tool}-buildpacks-pipelinerun-${randomChars(this.random, 5)}`])
      )
    }
    const kept = [...(this.store.get(tool) ?? []), deployment].slice(-KEPT_PER_TOOL)
    this.store.set(tool, kept)
    return deployment
  }

  private view(d: StoredDeployment): Record<string, unknown> {
    const state = stateAt(d.timeline, this.now() - d.createdAt, {
      tool: d.tool,
      buildIds: d.buildIds,
      creationTime: new Date(d.createdAt)
    })
    const components = Object.fromEntries(
      d.timeline.components.map((c) => [
        c.name,
        {
          component_type: 'continuous',
          build: { repository: `https://gitlab.wikimedia.org/toolforge-repos/${d.tool}`, ref: 'main' },
          run: { command: c.name === 'web' ? 'web' : `run-${c.name}` }
        }
      ])
    )
    return {
      deploy_id: d.deployId,
      creation_time: utcStamp(d.createdAt),
      description: d.description,
      builds: state.builds,
      runs: state.runs,
      tool_config: { config_version: 'v1beta1', components },
      status: state.status,
      long_status: state.long_status,
      force_build: d.forceBuild,
      force_run: d.forceRun
    }
  }

  private messagesFor(d: StoredDeployment): { info: string[]; warning: string[] } {
    return { info: d.timeline.hostile ? [HOSTILE_TEXT] : [], warning: [BETA_WARNING] }
  }

  private isActive(d: StoredDeployment): boolean {
    return this.now() - d.createdAt < finalAtMs(d.timeline)
  }

  private checkToken(tool: string, given: string | undefined): SimResponse | undefined {
    if (given === undefined || given === '') return apiError(401, "The 'x-toolforge-tool' header or a token are required")
    const expected = this.tokens.get(tool) ?? { kind: 'token', token: this.defaultToken }
    if (expected.kind === 'none') return apiError(401, `The tool '${tool}' has no deploy token yet, you have to create one before using it`)
    if (given !== expected.token) return apiError(401, `The token passed '${given}' does not match the tool's token`)
    if (expected.kind === 'expired') return apiError(401, `The token passed '${given}' has expired, please create a new one`)
    return undefined
  }

  /** Answers one request. */
  handle(request: SimRequest): SimResponse {
    const url = new URL(request.url, 'http://simulator.invalid')
    const path = url.pathname
    if (path === `${PREFIX}/healthz` && request.method === 'GET') {
      return json(200, envelope({ status: 'OK' }, { warning: [BETA_WARNING] }))
    }
    const match = /^\/components\/v1\/tool\/([^/]+)\/deployment(?:\/([^/]+))?$/.exec(path)
    const other = /^\/components\/v1\/tool\/[^/]+\/(config|config\/generate|deployment\/token|deployment\/latest|deployment\/[^/]+\/cancel|deployment\/latest\/cancel)$/.test(path)
    if (!match) {
      // Endpoints that only the gateway's x-toolforge-tool header opens.
      if (other) return apiError(401, "The 'x-toolforge-tool' header or a token are required")
      return json(404, JSON.stringify({ detail: 'Not Found' }))
    }
    const tool = decodeURIComponent(match[1]!)
    const deployId = match[2] && decodeURIComponent(match[2])
    const allowed = deployId ? ['GET', 'DELETE'] : ['GET', 'POST']
    if (!allowed.includes(request.method)) return json(405, JSON.stringify({ detail: 'Method Not Allowed' }))
    if (request.method !== (deployId ? 'GET' : 'POST')) {
      return apiError(401, "The 'x-toolforge-tool' header or a token are required")
    }
    const unauthorized = this.checkToken(tool, url.searchParams.get('token') ?? undefined)
    if (unauthorized) return unauthorized
    return deployId ? this.read(tool, deployId) : this.createFrom(tool, url.searchParams, request.body)
  }

  private read(tool: string, deployId: string): SimResponse {
    const found = (this.store.get(tool) ?? []).find((d) => d.deployId === deployId)
    if (!found) return apiError(404, `Deployment ${deployId} for tool ${tool} not found`)
    return json(200, envelope(this.view(found), this.messagesFor(found)))
  }

  private createFrom(tool: string, query: URLSearchParams, rawBody: string): SimResponse {
    // FastAPI's ValidationError shape; the API also formats each one into messages.error.
    const problems: Array<{ loc: Array<string | number>; msg: string; type: string }> = []
    const problem = (loc: Array<string | number>, msg: string, type: string) => problems.push({ loc, msg, type })
    const flag = (name: string): boolean => {
      const value = query.get(name)
      if (value === null) return false
      const lower = value.toLowerCase()
      if (PYDANTIC_TRUE.has(lower)) return true
      if (!PYDANTIC_FALSE.has(lower)) problem(['query', name], 'Input should be a valid boolean, unable to interpret input', 'bool_parsing')
      return false
    }
    const forceBuild = flag('force-build')
    const forceRun = flag('force-run')
    flag('rebuild_storage')
    let description = ''
    if (rawBody.trim() !== '') {
      let body: unknown
      try {
        body = JSON.parse(rawBody)
      } catch (error) {
        problem(['body', 0], `JSON decode error (${error instanceof Error ? error.message : 'invalid JSON'})`, 'json_invalid')
      }
      if (body !== null && body !== undefined) {
        if (typeof body !== 'object' || Array.isArray(body)) problem(['body'], 'Input should be a valid dictionary or object', 'model_type')
        else {
          const given = (body as Record<string, unknown>).description
          if (given !== undefined && typeof given !== 'string') problem(['body', 'description'], 'Input should be a valid string', 'string_type')
          else description = given ?? ''
        }
      }
    }
    if (problems.length > 0) {
      const formatted = problems.map((p) => `${p.loc.join('.')}: ${p.msg}`)
      return json(422, JSON.stringify({ detail: problems, messages: { info: [], warning: [], error: formatted } }))
    }
    if (this.withoutConfig.has(tool)) return apiError(404, `Tool config for tool ${tool} not found`)
    const running = (this.store.get(tool) ?? []).filter((d) => this.isActive(d)).length
    if (running > 0) {
      return apiError(409, `There's already ${running} running, the limit is 1. Wait for it to finish for now.`)
    }
    const created = this.create(tool, this.scenarios.get(tool) ?? this.defaultScenario, description, forceBuild, forceRun)
    return json(200, envelope(this.view(created), this.messagesFor(created)))
  }
}
