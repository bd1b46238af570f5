import type { IncomingHttpHeaders } from 'node:http'
import { HttpClient } from '@actions/http-client'

/**
 * One GET that cannot outlast its time or fill memory: no redirect followed, no retry,
 * proxies as for the API, and at most `maxBytes` of the body read (0: none). Used to ask
 * places other than the API (the tool's address, a git repository), so it carries no
 * token and no header but the User-Agent.
 */

export interface GetAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body was longer than `maxBytes`; `body` is its beginning. */
  truncated: boolean
}

export interface GetOptions {
  userAgent: string
  timeoutMs: number
  signal: AbortSignal
  maxBytes: number
}

/** The answer, or undefined when none came in time (refused, reset, no such host, too slow). */
export async function boundedGet(url: string, { userAgent, timeoutMs, signal, maxBytes }: GetOptions): Promise<GetAnswer | undefined> {
  const client = new HttpClient(userAgent, [], { allowRedirects: false, allowRetries: false, keepAlive: false, socketTimeout: timeoutMs })
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
  const ended = new Promise<undefined>((resolve) => {
    if (deadline.aborted) resolve(undefined)
    deadline.addEventListener('abort', () => resolve(undefined))
  })
  const read = async (): Promise<GetAnswer> => {
    const response = await client.request('GET', url, null, {})
    const chunks: Buffer[] = []
    let size = 0
    let truncated = false
    if (maxBytes > 0) {
      for await (const chunk of response.message) {
        chunks.push(chunk as Buffer)
        size += (chunk as Buffer).length
        if (size > maxBytes) {
          truncated = true
          break
        }
      }
    }
    return { status: response.message.statusCode ?? 0, headers: response.message.headers, body: Buffer.concat(chunks).subarray(0, maxBytes), truncated }
  }
  try {
    // A request that fails is no answer too.
    return await Promise.race([read(), ended]).catch(() => undefined)
  } finally {
    // Closes the connection: the rest of a body is never read, and a request still in flight ends.
    client.dispose()
  }
}
