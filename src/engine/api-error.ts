/**
 * Why a request to the Components API did not give a deployment. The message never holds
 * a raw body or a request URL: both can carry the token.
 */
export type ApiErrorKind =
  /** The API or its gateway answered with a non-2xx status. */
  | 'http'
  /** The connection failed or broke. */
  | 'network'
  /** No complete answer within the per-request deadline. */
  | 'deadline'
  /** A 2xx answer that is not a usable deployment envelope. */
  | 'bad-response'
  /** A 3xx answer: never followed, it would re-send the token elsewhere. */
  | 'redirect'
  /** The TLS certificate was refused: retrying cannot help. */
  | 'tls'
  /** The run itself was cancelled while the request was under way. */
  | 'aborted'

export interface ApiErrorDetails {
  status?: number
  /** Toolforge's own `messages.error` texts, masked. */
  toolforgeErrors?: string[]
  retryAfterMs?: number
  /** False only when the request provably never reached the server. */
  reachedServer: boolean
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind
  readonly status: number | undefined
  readonly toolforgeErrors: string[]
  readonly retryAfterMs: number | undefined
  readonly reachedServer: boolean

  constructor(kind: ApiErrorKind, message: string, details: ApiErrorDetails) {
    super(message)
    this.name = 'ApiError'
    this.kind = kind
    this.status = details.status
    this.toolforgeErrors = details.toolforgeErrors ?? []
    this.retryAfterMs = details.retryAfterMs
    this.reachedServer = details.reachedServer
  }
}

const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])

/** A status read that failed this way may well succeed if simply asked again. */
export function isTransient(error: ApiError): boolean {
  switch (error.kind) {
    case 'network':
    case 'deadline':
      return true
    case 'http':
      return TRANSIENT_STATUSES.has(error.status ?? 0)
    case 'bad-response':
      return error.status === undefined || error.status < 300
    default:
      return false
  }
}

/**
 * Creating is not idempotent: repeat it only when the API provably did not act on it,
 * because the request never arrived or the API said it did not process it.
 */
export function creationSurelyNotStarted(error: ApiError): boolean {
  if (!error.reachedServer) return true
  return error.kind === 'http' && (error.status === 429 || error.status === 503)
}

/** The API could not be connected to at all: refused, or no such host. */
export function isUnreachable(error: ApiError): boolean {
  return error.kind === 'network' && !error.reachedServer
}

/** A creation whose outcome is unknown: it may have started a deployment. */
export function creationMayHaveStarted(error: ApiError): boolean {
  if (creationSurelyNotStarted(error)) return false
  if (error.kind === 'http') return (error.status ?? 0) >= 500
  return ['network', 'deadline', 'bad-response', 'aborted'].includes(error.kind)
}
