import type { IncomingHttpHeaders } from 'node:http'
import { HttpClient, type HttpClientResponse } from '@actions/http-client'
import { requestDeadline, SignalHandler } from './request-signal.js'

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

/**
 * The answer, or undefined when none came in time (refused, reset, no such host, too slow):
 * `timeoutMs` bounds the whole exchange, from connecting to the last byte read, whatever
 * the peer trickles; `signal` ends it at once.
 */
export async function boundedGet(
  url: string,
  { userAgent, timeoutMs, signal, maxBytes }: GetOptions
): Promise<GetAnswer | undefined> {
  const handler = new SignalHandler()
  const client = new HttpClient(userAgent, [handler], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: false,
    socketTimeout: timeoutMs
  })
  const deadline = requestDeadline(signal, timeoutMs)
  const ended = new Promise<undefined>((resolve) => {
    if (deadline.signal.aborted) resolve(undefined)
    deadline.signal.addEventListener('abort', () => resolve(undefined), { once: true })
  })
  const read = async (pending: Promise<HttpClientResponse>): Promise<GetAnswer> => {
    const response = await pending
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
    // The rest is never read: its connection closes now, rather than keep the process alive.
    response.message.destroy()
    return {
      status: response.message.statusCode ?? 0,
      headers: response.message.headers,
      body: Buffer.concat(chunks).subarray(0, maxBytes),
      truncated
    }
  }
  try {
    handler.next = deadline.signal
    const pending = client.request('GET', url, null, {})
    handler.next = undefined
    // A request that fails is no answer too.
    return await Promise.race([read(pending), ended]).catch(() => undefined)
  } finally {
    // A request still in flight was destroyed by the signal.
    deadline.clear()
    client.dispose()
  }
}
