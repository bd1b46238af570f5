import type { Random } from './random.js'

/** A way for one request to go wrong, as gateways and networks do. */
export type Fault =
  /** The gateway answers with its own HTML error page. */
  | { kind: 'gateway'; status: 500 | 502 | 503 | 504 }
  /** The API asks to come back later. */
  | { kind: 'retry-after'; status: 429 | 503; retryAfter: string }
  /** The connection is reset before anything is answered (the request is not processed). */
  | { kind: 'reset' }
  /** The request is processed, then the connection is reset before the answer. */
  | { kind: 'reset-after-processing' }
  /** The connection is accepted and never answered. */
  | { kind: 'hang' }
  /** The request is processed at once, and answered `ms` later. */
  | { kind: 'late-answer'; ms: number }
  /** The answer trickles in over `ms`. */
  | { kind: 'slow-body'; ms: number }
  /** A 200 whose body is not JSON. */
  | { kind: 'invalid-json' }
  /** A redirect to another host. */
  | { kind: 'redirect' }

export type FaultKind = Fault['kind']

export const CHAOS_KINDS: FaultKind[] = ['gateway', 'retry-after', 'reset', 'slow-body', 'invalid-json']

/** Picks a fault for a chaos run; every kind here is transient for a status read. */
export function randomFault(random: Random, kinds: FaultKind[] = CHAOS_KINDS): Fault {
  const kind = kinds[Math.floor(random() * kinds.length)]!
  switch (kind) {
    case 'gateway':
      return { kind, status: ([500, 502, 503, 504] as const)[Math.floor(random() * 4)]! }
    case 'retry-after':
      return { kind, status: random() < 0.5 ? 429 : 503, retryAfter: '1' }
    case 'slow-body':
      return { kind, ms: 100 + Math.floor(random() * 400) }
    default:
      return { kind } as Fault
  }
}

/** Parses the command-line form: `gateway:502`, `retry-after:429:3`, `reset`, `slow-body:2000`, … */
export function parseFault(text: string): Fault {
  const [kind, a, b] = text.split(':')
  switch (kind) {
    case 'gateway':
      return { kind, status: Number(a ?? 502) as 502 }
    case 'retry-after':
      return { kind, status: Number(a ?? 503) as 503, retryAfter: b ?? '2' }
    case 'slow-body':
    case 'late-answer':
      return { kind, ms: Number(a ?? 2000) }
    case 'reset':
    case 'reset-after-processing':
    case 'hang':
    case 'invalid-json':
    case 'redirect':
      return { kind }
    default:
      throw new Error(`unknown fault "${text}"`)
  }
}

export function gatewayPage(status: number): string {
  const titles: Record<number, string> = {
    500: '500 Internal Server Error',
    502: '502 Bad Gateway',
    503: '503 Service Temporarily Unavailable',
    504: '504 Gateway Time-out'
  }
  const title = titles[status] ?? `${status} Error`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}
