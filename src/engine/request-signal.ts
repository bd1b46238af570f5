import type { RequestOptions } from 'node:http'
import type { HttpClientResponse } from '@actions/http-client'
import type { RequestHandler } from '@actions/http-client/lib/interfaces'

/**
 * One request's end, by its own time limit or by the caller's signal, whichever comes
 * first; the request's socket is destroyed with it, so that a peer trickling a byte at a
 * time (which keeps resetting the socket's idle timeout) is cut off too. The timer is held
 * here and cleared by `clear()`: `AbortSignal.timeout` inside `AbortSignal.any` may never
 * fire on Node 20.
 */
export interface RequestDeadline {
  signal: AbortSignal
  /** Whether the time limit ended it (rather than the caller). */
  timedOut(): boolean
  clear(): void
}

export function requestDeadline(outer: AbortSignal | undefined, timeoutMs: number): RequestDeadline {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(
    () => {
      timedOut = true
      controller.abort()
    },
    Math.max(0, timeoutMs)
  )
  const cancel = () => controller.abort()
  if (outer?.aborted) controller.abort()
  else outer?.addEventListener('abort', cancel, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    clear() {
      clearTimeout(timer)
      outer?.removeEventListener('abort', cancel)
    }
  }
}

/**
 * http-client cannot take an AbortSignal per request, but it lets handlers edit the
 * request options synchronously when `request()` is called: the signal is handed over
 * through this slot right then, and an IPv6 host loses its brackets.
 */
export class SignalHandler implements RequestHandler {
  next: AbortSignal | undefined
  prepareRequest(options: RequestOptions): void {
    options.signal = this.next
    // http-client passes on the URL's hostname, which keeps an IPv6 address in brackets: no resolver knows `[::1]`.
    if (typeof options.host === 'string' && options.host.startsWith('[')) options.host = options.host.slice(1, -1)
  }
  canHandleAuthentication(): boolean {
    return false
  }
  handleAuthentication(): Promise<HttpClientResponse> {
    return Promise.reject(new Error('not supported'))
  }
}
