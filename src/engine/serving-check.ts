import { HttpClient } from '@actions/http-client'
import type { Clock } from './clock.js'

/**
 * Whether the deployed tool serves: Toolforge's `successful` means the jobs service took
 * the jobs, not that the web service came up. After it, the tool's address (or a URL the
 * user gives) is asked until it answers as a serving web service would, or time runs out.
 *
 * Serving: any answer but a gateway error (502, 503, 504) or no answer at all; when the
 * path is the component's health check, or the URL was given, only 2xx and 3xx. A
 * redirect is an answer, never followed. Probes carry no token and no header but the
 * User-Agent, and their bodies are not read.
 */

/** What is probed, and how strictly. */
export interface CheckTarget {
  url: string
  /** Only 2xx and 3xx count (a health check path, or a URL the user gave). */
  strict: boolean
  /** The component whose web service it is, when found in the tool's config. */
  component?: string
}

export type CheckPlan = { probe: CheckTarget } | { skip: string }

export interface CheckResult {
  result: 'passed' | 'failed' | 'skipped'
  target?: CheckTarget
  /** Why it was skipped. */
  reason?: string
  /** What each probe got: an HTTP status, or `no answer`. */
  answers: string[]
  /** From the first probe to the end of the check. */
  durationMs: number
}

export const GATEWAY_ERRORS: ReadonlySet<number> = new Set([502, 503, 504])
export const CHECK_BACKOFF = { firstMs: 1_000, growth: 1.5, maxMs: 10_000 }
export const PROBE_TIMEOUT_MS = 10_000

/** One probe: the HTTP status, or undefined when nothing answered in time. */
export type Probe = (url: string, timeoutMs: number, signal: AbortSignal) => Promise<number | undefined>

export function isServing(status: number | undefined, strict: boolean): boolean {
  if (status === undefined || GATEWAY_ERRORS.has(status)) return false
  return !strict || (status >= 200 && status < 400)
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
/** A path of the tool's own site: one leading slash, no scheme, host or white space. */
const SITE_PATH = /^\/(?![/\\])[^\s?#]*$/

/**
 * The path with every character but letters, digits, `/._~-` and existing `%XX` escapes
 * percent-encoded: it reaches the `check_url` output, and a step that pastes an output
 * into a shell must find nothing there that a shell reads (`$`, `(`, `'`, `;`, `|`, `&`).
 */
function shellInertPath(path: string): string {
  return path.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9/._~%-]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('')
  )
}

/**
 * What to probe after a successful deployment. `auto`: the tool's address, plus the
 * health check path of the first published component (by name); nothing when no
 * component publishes. A URL: that URL, strictly.
 */
export function planCheck(check: 'auto' | 'off' | URL, toolAddress: string, toolConfig: unknown): CheckPlan {
  if (check === 'off') return { skip: 'turned off' }
  if (check instanceof URL) return { probe: { url: check.href, strict: true } }
  const components = isObject(toolConfig) && isObject(toolConfig.components) ? toolConfig.components : {}
  for (const name of Object.keys(components).sort()) {
    const run = isObject(components[name]) && isObject((components[name] as Json).run) ? ((components[name] as Json).run as Json) : {}
    if (run.publish === undefined || run.publish === null || run.publish === false) continue
    const health = typeof run.health_check_http === 'string' && SITE_PATH.test(run.health_check_http) ? shellInertPath(run.health_check_http) : undefined
    const base = new URL(toolAddress)
    // The path is the tool's site's: below the tool's address, which may itself have a path (TOOLFORGE_TOOL_URL).
    const url = health === undefined ? base : new URL(`${base.pathname.replace(/\/+$/, '')}${health}`, base)
    // A path from the server must not lead anywhere but the tool's own site.
    if (url.origin !== base.origin) return { probe: { url: base.href, strict: false, component: name } }
    return { probe: { url: url.href, strict: health !== undefined, component: name } }
  }
  return { skip: 'no component of the deployed config publishes a web service' }
}

/** Probes with http-client (proxies as for the API), no redirects, the body never read. */
export function httpProbe(userAgent: string): Probe {
  return async (url, timeoutMs, signal) => {
    const client = new HttpClient(userAgent, [], { allowRedirects: false, allowRetries: false, keepAlive: false, socketTimeout: timeoutMs })
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
    const pending = client.request('GET', url, null, {})
    const ended = new Promise<undefined>((resolve) => deadline.addEventListener('abort', () => resolve(undefined)))
    // A request that fails (refused, reset, no such host) is no answer too.
    const response = await Promise.race([pending, ended]).catch(() => undefined)
    // The status is all that counts. Disposing closes the connection: the body is never
    // read, and a request still in flight ends (the race has handled its failure).
    client.dispose()
    return response?.message.statusCode
  }
}

export interface CheckObserver {
  /** A probe's answer, and the pause before the next one (undefined when the check ends). */
  probed(target: CheckTarget, answer: string, attempt: number, nextInMs: number | undefined): void
}

/** Probes until the target serves or `timeoutMs` has passed, backing off from 1 s towards 10 s. */
export async function checkServing(
  target: CheckTarget,
  timeoutMs: number,
  { clock, probe, signal, observer }: { clock: Clock; probe: Probe; signal: AbortSignal; observer: CheckObserver }
): Promise<CheckResult> {
  const started = clock.now()
  const deadline = started + timeoutMs
  const answers: string[] = []
  let pause = CHECK_BACKOFF.firstMs
  for (;;) {
    const status = await probe(target.url, Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - clock.now())), signal)
    const answer = status === undefined ? 'no answer' : String(status)
    answers.push(answer)
    const served = isServing(status, target.strict)
    const more = !served && !signal.aborted && clock.now() + pause < deadline
    observer.probed(target, answer, answers.length, more ? pause : undefined)
    if (served || !more) return { result: served ? 'passed' : 'failed', target, answers, durationMs: clock.now() - started }
    await clock.sleep(pause, signal)
    pause = Math.min(CHECK_BACKOFF.maxMs, Math.round(pause * CHECK_BACKOFF.growth))
  }
}
