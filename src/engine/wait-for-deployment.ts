import { ApiError, isTransient } from './api-error.js'
import { backoffDelay, type Backoff } from './backoff.js'
import type { Clock } from './clock.js'
import { FIRST_CHECK_MS, nextPollDelay, QUEUE_PASS, type PollContext } from './poll-policy.js'
import { changedOnTick, observeTick, type TickModel } from './server-ticks.js'
import {
  aBuildUnderWay,
  buildsStarting,
  isFinal,
  looksQueuedOnServer,
  phaseOf,
  runsUnderWay,
  SERVER_QUEUE_SIGN_MS
} from './status.js'
import type { ApiResponse, ToolforgeApi } from './toolforge-client.js'
import type { Deployment } from './toolforge-types.js'

/**
 * Status reads that fail are tried again, with this capped backoff, until the run's
 * deadline: an outage of the API does not end the deployment, so it does not end the wait.
 */
export const READ_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 30_000 }

/** A stretch of failed status reads, from the first failure to the answer that ended it (or the run's end). */
export interface Outage {
  startedAt: number
  endedAt: number
  failures: number
  /** The last failure's reason, in short: `HTTP 502`, or what broke. */
  last: string
  /** Still failing when the wait ended. */
  ongoing: boolean
}

export interface WaitObserver {
  /** Every good answer, in order. */
  polled(response: ApiResponse): void
  /** The deployment waits on the server behind another one of the tool (said once, before `polled`). */
  queuedOnServer(deployment: Deployment): void
  /** A transient failure; the next check comes after `delayMs`. */
  retrying(error: ApiError, failures: number, delayMs: number): void
  /** A good answer after failed ones. */
  recovered?(outage: Outage): void
}

export interface WaitOptions {
  deployId: string
  /** What creation returned, if the action created the deployment... */
  initial: Deployment | undefined
  /** ...and when that request was sent. */
  initialSentAt?: number
  /** Absolute time (on the clock) after which the loop stops waiting: no request goes on past it either. */
  deadline: number
  pollIntervalMs: number
  signal: AbortSignal
  /** Stop as soon as the deployment is known to wait behind another one (on-conflict: fail). */
  stopWhenQueued?: boolean
  /** Stop at the first good answer (not waiting): failed reads are still tried again until the deadline. */
  once?: boolean
  random?: () => number
}

export type WaitEnd = 'final' | 'timeout' | 'cancelled' | 'queued' | 'read'

export interface WaitResult {
  end: WaitEnd
  deployment: Deployment | undefined
  /** How long it waited on the server behind another deployment, as far as seen. */
  queuedMs: number
  /** Every stretch of failed reads, in order; the last one may be ongoing. */
  outages: Outage[]
}

/** Not one read of the deployment succeeded before the deadline, when one was all that was asked. */
export class UnreadError extends Error {
  constructor(
    deployId: string,
    readonly failures: number,
    readonly last: ApiError
  ) {
    super(
      `no read of deployment ${deployId} succeeded within this run's timeout (${failures} failed; the last: ` +
        `${last.message})`
    )
    this.name = 'UnreadError'
  }
}

/** What a check can see change: the status and each component's state, whatever their order. */
function stateKey(deployment: Deployment): string {
  const builds = Object.entries(deployment.builds).map(([name, b]) => `b:${name}=${b.build_status}`)
  const runs = Object.entries(deployment.runs).map(([name, r]) => `r:${name}=${r.run_status}`)
  return JSON.stringify([deployment.status, ...builds.sort(), ...runs.sort()])
}

function startingOf(deployment: Deployment, msSinceCreation: number): PollContext['starting'] {
  const builds = buildsStarting(deployment)
  return builds ? { builds, msSinceCreation } : undefined
}

/**
 * Checks the deployment until its status is final, the deadline passes or the signal
 * aborts, through any outage of the API. Throws an ApiError that retrying cannot mend, or
 * UnreadError when asked for one read and none came.
 */
export async function waitForDeployment(
  api: ToolforgeApi,
  clock: Clock,
  options: WaitOptions,
  observer: WaitObserver
): Promise<WaitResult> {
  const { deadline, signal, pollIntervalMs } = options
  let last = options.initial
  let lastSentAt = options.initialSentAt ?? clock.now()
  let ticks: TickModel | undefined
  let buildsDone: { lo: number; hi: number } | undefined
  // The server's queue passes for this deployment start when it is created.
  const createdAt = options.initialSentAt ?? clock.now()
  const queuePasses: TickModel = {
    lo: createdAt,
    hi: clock.now(),
    minPeriod: QUEUE_PASS.minMs,
    maxPeriod: QUEUE_PASS.maxMs,
    strayMs: 0,
    base: { lo: createdAt, hi: clock.now(), passes: 0 }
  }
  let queuedSince: number | undefined
  let queuedMs = 0
  let failures = 0
  const outages: Outage[] = []
  let outage: Outage | undefined
  let lastFailure: ApiError | undefined
  let pollDelay = last ? Math.min(FIRST_CHECK_MS, pollIntervalMs) : 0
  let delay = pollDelay
  let notBefore = 0
  let lastChangeAt = clock.now()
  const end = (how: WaitEnd): WaitResult => ({
    end: how,
    deployment: last,
    queuedMs: queuedSince === undefined ? queuedMs : clock.now() - queuedSince,
    outages: outage ? [...outages, outage] : outages
  })
  // Asked for one read, a run that got none has nothing to tell: that is its failure.
  const outOfTime = (): WaitResult => {
    if (options.once && failures > 0) throw new UnreadError(options.deployId, failures, lastFailure!)
    return end('timeout')
  }
  for (;;) {
    const wake = Math.min(clock.now() + delay, deadline)
    await clock.sleep(wake - clock.now(), signal)
    if (signal.aborted) return end('cancelled')
    // Asking before the server's Retry-After would be rude; past the deadline, pointless.
    if (clock.now() < notBefore) return outOfTime()
    try {
      const sentAt = clock.now()
      const response = await api.getDeployment(options.deployId, {
        signal,
        deadline
      })
      failures = 0
      if (outage) {
        const ended = { ...outage, endedAt: clock.now(), ongoing: false }
        outages.push(ended)
        outage = undefined
        observer.recovered?.(ended)
      }
      const queued = looksQueuedOnServer(response.deployment)
      if (queued && queuedSince === undefined && queuedMs === 0 && clock.now() - createdAt >= SERVER_QUEUE_SIGN_MS) {
        queuedSince = createdAt
        observer.queuedOnServer(response.deployment)
      } else if (!queued && queuedSince !== undefined) {
        queuedMs = clock.now() - queuedSince
        queuedSince = undefined
      }
      observer.polled(response)
      const changed = last === undefined || stateKey(response.deployment) !== stateKey(last)
      if (changed) lastChangeAt = clock.now()
      const onTick = last !== undefined && changedOnTick(last, response.deployment)
      if (onTick) ticks = observeTick(ticks, lastSentAt, clock.now())
      const phase = phaseOf(response.deployment)
      const phaseChanged = last === undefined || phase !== phaseOf(last)
      if (onTick && phaseChanged && (phase === 'running-components' || phase === 'failing'))
        buildsDone = { lo: lastSentAt, hi: clock.now() }
      last = response.deployment
      lastSentAt = sentAt
      if (isFinal(last.status)) return end('final')
      if (options.once) return end('read')
      if (queuedSince !== undefined && options.stopWhenQueued) return end('queued')
      pollDelay = nextPollDelay({
        phase,
        changed,
        msSinceChange: clock.now() - lastChangeAt,
        previousDelayMs: pollDelay,
        pollIntervalMs,
        ticks,
        buildsDone,
        buildUnderWay: aBuildUnderWay(response.deployment),
        starting: startingOf(response.deployment, clock.now() - createdAt),
        runsUnderWay: runsUnderWay(response.deployment),
        serverQueue: queued ? { passes: queuePasses, msSinceCreation: clock.now() - createdAt } : undefined,
        now: clock.now()
      })
      delay = Math.max(pollDelay, response.retryAfterMs ?? 0)
      notBefore = clock.now() + (response.retryAfterMs ?? 0)
    } catch (error) {
      if (signal.aborted) return end('cancelled')
      if (!(error instanceof ApiError) || !isTransient(error)) throw error
      // Cut by the run's own deadline, the read says nothing of the API: no outage.
      if (clock.now() >= deadline && failures === 0) return outOfTime()
      failures += 1
      outage = {
        startedAt: outage?.startedAt ?? clock.now(),
        endedAt: clock.now(),
        failures,
        // Short enough for a summary line: the status says it when there is one.
        last: error.kind === 'http' && error.status ? `HTTP ${error.status}` : error.message,
        ongoing: true
      }
      delay = Math.max(backoffDelay(READ_BACKOFF, failures, options.random), error.retryAfterMs ?? 0)
      notBefore = clock.now() + (error.retryAfterMs ?? 0)
      observer.retrying(error, failures, delay)
      lastFailure = error
    }
    if (clock.now() >= deadline) return outOfTime()
  }
}
