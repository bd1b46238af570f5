import type { IncomingMessage } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { ApiError } from './api-error.js'
import { createRedactor, redactJson, type Redactor } from './redact.js'
import { requestDeadline, SignalHandler } from './request-signal.js'
import { parseRetryAfter } from './retry-after.js'
import {
  DEPLOY_ID,
  parseDeployment,
  parseMessages,
  type Deployment,
  type DeploymentRequest,
  type ResponseMessages
} from './toolforge-types.js'

/** A deployment as one response told it, with what the response asked of the caller. */
export interface ApiResponse {
  deployment: Deployment
  messages: ResponseMessages
  status: number
  /** From a Retry-After header: do not ask again sooner. */
  retryAfterMs: number | undefined
}

export interface CallOptions {
  /** Cancels the request (the run was cancelled). */
  signal?: AbortSignal
  /** A time (on the client's clock) the request must not outlast: the run's own timeout. */
  deadline?: number
}

/** The two calls a deploy token may make. */
export interface ToolforgeApi {
  createDeployment(request: DeploymentRequest, options?: CallOptions): Promise<ApiResponse>
  getDeployment(deployId: string, options?: CallOptions): Promise<ApiResponse>
  dispose(): void
}

export interface ToolforgeClientOptions {
  apiUrl: string
  tool: string
  token: string
  userAgent: string
  /** Connection to last byte, for one request. */
  requestTimeoutMs?: number
  maxBodyBytes?: number
  now?: () => number
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
// Generous: a deployment with many components and long statuses stays far below it.
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024

const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL'
])

export function createToolforgeClient(options: ToolforgeClientOptions): ToolforgeApi {
  const redact = createRedactor([options.token])
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const now = options.now ?? Date.now
  const base = `${options.apiUrl.replace(/\/+$/, '')}/components/v1/tool/${encodeURIComponent(options.tool)}/deployment`
  const token = `token=${encodeURIComponent(options.token)}`
  const handler = new SignalHandler()
  const clientOptions = { allowRedirects: false, allowRetries: false, socketTimeout: timeoutMs + 1_000 }
  // Reads reuse one connection; creation gets a fresh one each time, so that a broken
  // pooled socket can never make a creation's outcome look unknown.
  const reads = new HttpClient(options.userAgent, [handler], { ...clientOptions, keepAlive: true })
  const writes = new HttpClient(options.userAgent, [handler], { ...clientOptions, keepAlive: false })

  async function call(
    client: HttpClient,
    verb: 'GET' | 'POST',
    url: string,
    body: string | null,
    headers: Record<string, string>,
    { signal: outer, deadline: runDeadline }: CallOptions = {}
  ): Promise<ApiResponse> {
    const allowedMs = Math.max(0, Math.min(timeoutMs, (runDeadline ?? Infinity) - now()))
    // Cut short by the run's own timeout, it is that timeout which ran out, not Toolforge's time.
    const runsOut = allowedMs < timeoutMs
    const deadline = requestDeadline(outer, allowedMs)
    try {
      handler.next = deadline.signal
      const pending = client.request(verb, url, body, { accept: 'application/json', ...headers })
      handler.next = undefined
      const response = await pending
      return await readResponse(response.message)
    } catch (error) {
      throw toApiError(error, deadline.timedOut(), outer?.aborted ?? false, runsOut ? undefined : allowedMs)
    } finally {
      handler.next = undefined
      deadline.clear()
    }
  }

  async function readResponse(message: IncomingMessage): Promise<ApiResponse> {
    const status = message.statusCode ?? 0
    const retryAfterMs = parseRetryAfter(message.headers['retry-after'], now())
    if (status >= 300 && status < 400) {
      message.destroy()
      throw new ApiError(
        'redirect',
        `Toolforge answered HTTP ${status} (a redirect); the action does not follow redirects, since that would send ` +
          `the token to another address. Check api-url.`,
        { status, reachedServer: true }
      )
    }
    const text = await readBody(message, maxBodyBytes)
    let body: unknown
    try {
      // Parsed first, then every decoded string masked: no escape can hide the token.
      body = redactJson(JSON.parse(text), redact)
    } catch {
      const what = describeNonJson(redact(String(message.headers['content-type'] ?? '')))
      if (status >= 200 && status < 300) {
        throw new ApiError('bad-response', `Toolforge answered HTTP ${status} with ${what} instead of a deployment`, {
          status,
          retryAfterMs,
          reachedServer: true
        })
      }
      throw new ApiError('http', `Toolforge answered HTTP ${status} with ${what}`, {
        status,
        retryAfterMs,
        reachedServer: true
      })
    }
    const messages = parseMessages(body)
    const detail = messages.error.length > 0 ? `: ${messages.error.join('; ')}` : ''
    if (status < 200 || status >= 300) {
      throw new ApiError('http', `Toolforge answered HTTP ${status}${detail}`, {
        status,
        retryAfterMs,
        toolforgeErrors: messages.error,
        reachedServer: true
      })
    }
    const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined
    const deployment = parseDeployment(data)
    if (!deployment) {
      const hasId = typeof data === 'object' && data !== null && 'deploy_id' in data
      const what = hasId
        ? 'a deployment id that is not one (expected like 20250703-075322-5zxh2hip26)'
        : 'no deployment in "data"'
      throw new ApiError('bad-response', `Toolforge answered HTTP ${status} with ${what}${detail}`, {
        status,
        retryAfterMs,
        toolforgeErrors: messages.error,
        reachedServer: true
      })
    }
    return { deployment, messages, status, retryAfterMs }
  }

  /** `allowedMs` undefined: the run's own timeout was the request's limit. */
  function toApiError(
    error: unknown,
    deadlinePassed: boolean,
    cancelled: boolean,
    allowedMs: number | undefined
  ): ApiError {
    if (error instanceof ApiError) return error
    if (cancelled) return new ApiError('aborted', 'the request was cancelled', { reachedServer: true })
    if (deadlinePassed) {
      const why =
        allowedMs === undefined
          ? "this run's timeout expired before Toolforge answered"
          : `Toolforge did not answer completely within ${Math.round(allowedMs / 100) / 10}s`
      return new ApiError('deadline', why, { reachedServer: true })
    }
    return networkError(error, redact)
  }

  return {
    createDeployment(request, callOptions) {
      const flags = `${request.forceBuild ? '&force-build=true' : ''}${request.forceRun ? '&force-run=true' : ''}`
      const body = JSON.stringify({ description: request.description })
      return call(writes, 'POST', `${base}?${token}${flags}`, body, { 'content-type': 'application/json' }, callOptions)
    },
    getDeployment(deployId, callOptions) {
      // Only a well-formed id goes into the path: no `.`, `..` or `/` can move where the token is sent.
      if (!DEPLOY_ID.test(deployId)) {
        return Promise.reject(
          new ApiError('bad-response', 'the deployment id is not one; it was not asked for', { reachedServer: false })
        )
      }
      return call(reads, 'GET', `${base}/${deployId}?${token}`, null, {}, callOptions)
    },
    dispose() {
      reads.dispose()
      writes.dispose()
    }
  }
}

/**
 * The whole body, up to `maxBytes`. A connection that closes mid-answer, or a request
 * aborted by its signal (cancellation or deadline), ends the message with an error.
 */
function readBody(message: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const fail = (error: Error) => {
      message.destroy()
      reject(error)
    }
    message.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        fail(
          new ApiError('bad-response', `Toolforge's answer was larger than ${maxBytes} bytes; it was not read`, {
            status: message.statusCode,
            reachedServer: true
          })
        )
      } else chunks.push(chunk)
    })
    message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    message.on('error', fail)
  })
}

function describeNonJson(contentType: string): string {
  const type = contentType.split(';')[0]?.trim().slice(0, 60)
  return type ? `a non-JSON body (${type}, probably from the gateway)` : 'a body that is not JSON'
}

/** Whether a failed connection can have reached the API: only a refusal or an unknown host cannot. */
export function networkError(error: unknown, redact: Redactor): ApiError {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new ApiError('tls', `the TLS certificate of the API was refused (${code})`, { reachedServer: false })
  }
  if (NOT_CONNECTED_CODES.has(code)) {
    return new ApiError('network', `could not connect to the API (${code})`, { reachedServer: false })
  }
  const reason = code || redact(error instanceof Error ? (error.message.split('?')[0] ?? '') : String(error))
  return new ApiError('network', `the connection to the API failed (${reason})`, { reachedServer: true })
}
