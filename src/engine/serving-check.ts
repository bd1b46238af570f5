import type { Clock } from './clock.js'
import { boundedGet } from './http-get.js'
import { withoutInvisibleMarkup } from './plain-text.js'
import type { Redactor } from './redact.js'
import { configComponents, isObject, type Json } from './toolforge-types.js'

/**
 * Whether the deployed tool serves: Toolforge's `successful` means the jobs service took
 * the jobs, not that the web service came up. After it, the tool's address (or a URL the
 * user gives) is asked until it answers as a serving web service would, or time runs out.
 *
 * Serving: any answer but a gateway error (502, 503, 504) or no answer at all; when the
 * path is the component's health check, or the URL was given, only 2xx and 3xx. A
 * redirect is an answer, never followed. Probes carry no token and no header but the
 * User-Agent. With an expected text (check-expect), a serving answer must also hold it
 * in its first EXPECT_BODY_BYTES: during a rolling restart the old version still
 * answers. Otherwise bodies are not read.
 */

/** What is probed, and how strictly. */
export interface CheckTarget {
  url: string
  /** Only 2xx and 3xx count (a health check path, or a URL the user gave). */
  strict: boolean
  /** The component whose web service it is, when found in the tool's config. */
  component?: string
  /** Text the answer must contain (check-expect). */
  expect?: string
}

export type CheckPlan = { probe: CheckTarget } | { skip: string }

export interface CheckResult {
  /** interrupted: the run was cancelled before the check could pass or fail. */
  result: 'passed' | 'failed' | 'skipped' | 'interrupted'
  target?: CheckTarget
  /** Why it was skipped. */
  reason?: string
  /** What each probe got: an HTTP status, `no answer`, or a status and `without the text`. */
  answers: string[]
  /** From the first probe to the end of the check. */
  durationMs: number
  /** When the expected text was missing: the beginning of the last answer's body, as served. */
  served?: string
}

export const GATEWAY_ERRORS: ReadonlySet<number> = new Set([502, 503, 504])
export const CHECK_BACKOFF = { firstMs: 1_000, growth: 1.5, maxMs: 10_000 }
export const PROBE_TIMEOUT_MS = 10_000
/** The time the last probe, near the check's limit, has to be answered. */
export const LAST_ANSWER_MS = 1_000
/** How much of an answer is searched for the expected text. */
export const EXPECT_BODY_BYTES = 64 * 1024
/** How much of what was served instead a failure shows. */
export const SERVED_EXCERPT = 200
export const WITHOUT_TEXT = 'without the text'

export interface ProbeAnswer {
  status: number
  /** The body's first `bodyBytes`, when asked for. */
  body?: string
}

/** One probe: the answer, or undefined when nothing answered in time. `bodyBytes` 0: the body is not read. */
export type Probe = (
  url: string,
  timeoutMs: number,
  signal: AbortSignal,
  bodyBytes: number
) => Promise<ProbeAnswer | undefined>

export function isServing(status: number | undefined, strict: boolean): boolean {
  if (status === undefined || GATEWAY_ERRORS.has(status)) return false
  return !strict || (status >= 200 && status < 400)
}

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
 * component publishes. A URL: that URL, strictly. With `expect`, its answer must hold
 * that text as well.
 */
export function planCheck(
  check: 'auto' | 'off' | URL,
  toolAddress: string,
  toolConfig: unknown,
  expect?: string
): CheckPlan {
  const plan = whereToProbe(check, toolAddress, toolConfig)
  return expect !== undefined && 'probe' in plan ? { probe: { ...plan.probe, expect } } : plan
}

function whereToProbe(check: 'auto' | 'off' | URL, toolAddress: string, toolConfig: unknown): CheckPlan {
  if (check === 'off') return { skip: 'turned off' }
  if (check instanceof URL) return { probe: { url: check.href, strict: true } }
  const components = configComponents(toolConfig)
  for (const name of Object.keys(components).sort()) {
    const run =
      isObject(components[name]) && isObject((components[name] as Json).run)
        ? ((components[name] as Json).run as Json)
        : {}
    if (run.publish === undefined || run.publish === null || run.publish === false) continue
    const health =
      typeof run.health_check_http === 'string' && SITE_PATH.test(run.health_check_http)
        ? shellInertPath(run.health_check_http)
        : undefined
    const base = new URL(toolAddress)
    // The path is the tool's site's: below the tool's address, which may itself have a path (TOOLFORGE_TOOL_URL).
    const url = health === undefined ? base : new URL(`${base.pathname.replace(/\/+$/, '')}${health}`, base)
    // A path from the server must not lead anywhere but the tool's own site.
    if (url.origin !== base.origin) return { probe: { url: base.href, strict: false, component: name } }
    return { probe: { url: url.href, strict: health !== undefined, component: name } }
  }
  return { skip: 'no component of the deployed config publishes a web service' }
}

/** Probes with http-client (proxies as for the API), no redirects, no more of the body read than asked. */
export function httpProbe(userAgent: string): Probe {
  return async (url, timeoutMs, signal, bodyBytes) => {
    const answer = await boundedGet(url, { userAgent, timeoutMs, signal, maxBytes: bodyBytes })
    return answer && { status: answer.status, ...(bodyBytes > 0 ? { body: answer.body.toString('utf8') } : {}) }
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
  {
    clock,
    probe,
    signal,
    observer,
    redact = (text) => text
  }: { clock: Clock; probe: Probe; signal: AbortSignal; observer: CheckObserver; redact?: Redactor }
): Promise<CheckResult> {
  const started = clock.now()
  const deadline = started + timeoutMs
  const answers: string[] = []
  let pause = CHECK_BACKOFF.firstMs
  let served: string | undefined
  let last = false
  // Cut short, the check proved nothing either way: a probe the cancel cut off is no answer of the tool's.
  const interrupted = (): CheckResult => ({ result: 'interrupted', target, answers, durationMs: clock.now() - started })
  for (;;) {
    const got = await probe(
      target.url,
      Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - clock.now())),
      signal,
      target.expect === undefined ? 0 : EXPECT_BODY_BYTES
    )
    const up = isServing(got?.status, target.strict)
    if (signal.aborted && !up) return interrupted()
    const missing = up && target.expect !== undefined && !(got!.body ?? '').includes(target.expect)
    const answer = got === undefined ? 'no answer' : missing ? `${got.status} ${WITHOUT_TEXT}` : String(got.status)
    // Made plain and masked whole before the cut, so that no piece of a secret is left at its end.
    served = missing ? [...redact(withoutInvisibleMarkup(got!.body ?? ''))].slice(0, SERVED_EXCERPT).join('') : served
    answers.push(answer)
    const passed = up && !missing
    const left = deadline - clock.now()
    // Tries until the limit: the last probe goes when its answer can still come within it.
    const wait = left - pause >= LAST_ANSWER_MS ? pause : left - LAST_ANSWER_MS
    const more = !passed && !last && wait > 0
    last = wait !== pause
    observer.probed(target, answer, answers.length, more ? wait : undefined)
    if (passed || !more) {
      return {
        result: passed ? 'passed' : 'failed',
        target,
        answers,
        durationMs: clock.now() - started,
        ...(!passed && served !== undefined ? { served } : {})
      }
    }
    await clock.sleep(wait, signal)
    if (signal.aborted) return interrupted()
    pause = Math.min(CHECK_BACKOFF.maxMs, Math.round(pause * CHECK_BACKOFF.growth))
  }
}
