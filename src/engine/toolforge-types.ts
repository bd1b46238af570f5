/**
 * The shapes of the Components API that a deploy token can see, after the OpenAPI
 * document (Deployment, DeploymentBuildInfo, DeploymentRunInfo, ResponseMessages), and
 * the checks that turn an untrusted JSON body into them.
 */

/** Known values of DeploymentState; the server may add more, which are not final. */
export type KnownDeploymentState =
  'pending' | 'running' | 'failed' | 'timed_out' | 'successful' | 'cancelling' | 'cancelled'

/**
 * A field the server has not set yet is absent (it serialises with exclude_unset), and
 * stays absent here: a report must not state what the server never said.
 */
/** The build id of a build not asked for yet. */
export const NO_ID_YET = 'no-id-yet'

export interface BuildInfo {
  /** An id, or a placeholder: `no-id-yet`, `no-build-needed`. */
  build_id: string
  build_status: string
  /** An image reference, or the placeholder `no-image-yet`. */
  build_image?: string
  build_long_status?: string
}

export interface RunInfo {
  run_status: string
  run_long_status?: string
}

export interface Deployment {
  deploy_id: string
  creation_time: string
  description: string
  builds: Record<string, BuildInfo>
  runs: Record<string, RunInfo>
  /** Absent until the server's task starts (the documented default is `pending`). */
  status?: string
  long_status?: string
  force_build: boolean
  force_run: boolean
  tool_config?: unknown
}

export interface ResponseMessages {
  info: string[]
  warning: string[]
  error: string[]
}

export interface DeploymentRequest {
  description: string
  forceBuild: boolean
  forceRun: boolean
}

export type Json = Record<string, unknown>

/** `YYYYMMDD-HHMMSS-` and ten lowercase letters or digits, as the API makes them. */
export const DEPLOY_ID = /^\d{8}-\d{6}-[a-z0-9]{10}$/
/** States are short lowercase words; anything else is read as `unknown`, never repeated. */
const STATE_WORD = /^[a-z][a-z0-9_-]{0,31}$/

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The `components` of a deployment's `tool_config`, as far as it has any: it is the server's JSON, unchecked. */
export function configComponents(toolConfig: unknown): Json {
  return isObject(toolConfig) && isObject(toolConfig.components) ? toolConfig.components : {}
}

function text(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return fallback
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((item) => text(item, JSON.stringify(item) ?? '')) : []
}

/** Reads `messages`, also from FastAPI's own `{"detail": ...}` error bodies. */
export function parseMessages(body: unknown): ResponseMessages {
  const messages = isObject(body) && isObject(body.messages) ? body.messages : {}
  const parsed = { info: strings(messages.info), warning: strings(messages.warning), error: strings(messages.error) }
  if (isObject(body) && parsed.error.length === 0) {
    if (typeof body.detail === 'string') parsed.error.push(body.detail)
    else if (Array.isArray(body.detail)) {
      parsed.error.push(
        ...body.detail.map((item) => (isObject(item) ? text(item.msg, '') : text(item, ''))).filter(Boolean)
      )
    }
  }
  return parsed
}

function state(value: unknown): string {
  const word = text(value, 'unknown')
  return STATE_WORD.test(word) ? word : 'unknown'
}

/** Component names are keys of a map without a prototype: `__proto__` is a name like any other. */
function parseRecord<T>(value: unknown, parseItem: (item: Json) => T): Record<string, T> {
  const record = Object.create(null) as Record<string, T>
  if (!isObject(value)) return record
  for (const [name, item] of Object.entries(value)) record[name] = parseItem(isObject(item) ? item : {})
  return record
}

/** Copies the fields that are there, as text. */
function present<K extends string>(from: Json, keys: K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {}
  for (const key of keys) if (from[key] !== undefined && from[key] !== null) out[key] = text(from[key], '')
  return out
}

/**
 * Checks a Deployment, filling the required fields the OpenAPI document gives defaults
 * for and leaving the optional ones absent when the server left them out. Returns
 * undefined without a well-formed `deploy_id`: nothing can be followed then.
 */
export function parseDeployment(value: unknown): Deployment | undefined {
  if (!isObject(value)) return undefined
  const deployId = text(value.deploy_id, '')
  if (!DEPLOY_ID.test(deployId)) return undefined
  const deployment: Deployment = {
    deploy_id: deployId,
    creation_time: text(value.creation_time, ''),
    description: text(value.description, ''),
    builds: parseRecord(value.builds, (build) => ({
      build_id: text(build.build_id, NO_ID_YET),
      build_status: state(build.build_status),
      ...present(build, ['build_image', 'build_long_status'])
    })),
    runs: parseRecord(value.runs, (run) => ({
      run_status: state(run.run_status),
      ...present(run, ['run_long_status'])
    })),
    ...(value.status === undefined || value.status === null ? {} : { status: state(value.status) }),
    ...present(value, ['long_status']),
    force_build: value.force_build === true,
    force_run: value.force_run === true
  }
  if (value.tool_config !== undefined) deployment.tool_config = value.tool_config
  return deployment
}

/** The deployment without its tool_config: what the action shows and sets as an output. */
export function withoutToolConfig(deployment: Deployment): Deployment {
  const copy = { ...deployment }
  delete copy.tool_config
  return copy
}
