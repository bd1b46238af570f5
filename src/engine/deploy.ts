import { ApiError, creationMayHaveStarted, creationSurelyNotStarted, isTransient, isUnreachable } from './api-error.js'
import { backoffDelay, type Backoff } from './backoff.js'
import type { Clock } from './clock.js'
import { resolveCommits, type CommitReport } from './deployed-commit.js'
import { compareCommit, type CommitCheck } from './expected-commit.js'
import type { RefsReader } from './git-http.js'
import type { Redactor } from './redact.js'
import type { Settings } from '../settings/settings.js'
import { checkServing, planCheck, type CheckObserver, type CheckResult, type Probe } from './serving-check.js'
import { failureOwner } from './failure-class.js'
import { isSuccess, statusOf } from './status.js'
import type { ApiResponse, ToolforgeApi } from './toolforge-client.js'
import type { Deployment } from './toolforge-types.js'
import { READ_BACKOFF, waitForDeployment, type Outage, type WaitObserver } from './wait-for-deployment.js'

/** Creations (or token checks) that may fail in a row, network errors included, before giving up. */
export const MAX_CONSECUTIVE_FAILURES = 10

/** Transient failures kept coming until the budget was spent. */
export class GaveUpError extends Error {
  constructor(
    activity: string,
    readonly failures: number,
    readonly last: ApiError
  ) {
    super(`gave up after ${failures} failed ${activity} in a row; the last one: ${last.message}`)
    this.name = 'GaveUpError'
  }
}

/** Pauses between creation attempts while another deployment of the tool is in progress. */
export const CONFLICT_BACKOFF = { firstMs: 5_000, growth: 1.5, maxMs: 30_000 }
export const CREATE_BACKOFF: Backoff = { baseMs: 1_000, maxMs: 30_000 }
/**
 * How long the creation keeps trying an API it cannot connect to at all (refused, no such
 * host): a wrong address or a closed network, far more often than a blip. Status reads,
 * once a deployment exists, go on until the run's deadline.
 */
export const UNREACHABLE_CREATION_MS = 30_000

/** A deployment that failed for Toolforge's own reason, after which the run deployed again. */
export interface Attempt {
  deployId: string
  status: string
  /** Toolforge's long status. */
  reason: string
}

/** The pause before another deployment: at least 10 s, full jitter above it, so that a struggling service recovers. */
export const RETRY_BACKOFF = { floorMs: 10_000, baseMs: 20_000, maxMs: 120_000 }

export interface DeployObserver extends WaitObserver, CheckObserver {
  /** `attempt` failed for Toolforge's own reason; deployment `next` of at most `of` comes after `delayMs`. */
  redeploying?(attempt: Attempt, next: number, of: number, delayMs: number): void
  created(response: ApiResponse): void
  /** Toolforge answered 409; the next attempt comes after `delayMs`. */
  queued(error: ApiError, attempt: number, delayMs: number): void
  /** The creation provably did not reach the API; it is tried again after `delayMs`. */
  creationRetrying(error: ApiError, attempt: number, delayMs: number): void
}

export type DeployEnd =
  /** Toolforge's final status is `successful` (and the tool serves, when checked). */
  | 'successful'
  /** Toolforge's final status is `successful`, but the tool did not serve in time. */
  | 'not-serving'
  /** Toolforge's final status is `successful`, but not of the commit expect-commit gave (or not provably). */
  | 'other-commit'
  /** Toolforge's final status is `failed`, `timed_out` or `cancelled`. */
  | 'failed'
  /** Asked not to wait: created (or read once) and left to go on. */
  | 'no-wait'
  /** Created, but queued on the server behind another deployment, with on-conflict: fail. */
  | 'queued'
  /** A dry run: Toolforge accepts the token for the tool; nothing was created. */
  | 'token-accepted'
  /** The action's own timeout passed first. */
  | 'timeout'
  /** The run was cancelled (SIGINT/SIGTERM). */
  | 'interrupted'
  /** Toolforge answered 404 for a deployment it had shown: pruned (it keeps a tool's last 25) or removed. */
  | 'vanished'
  /** The API refused, or could not be asked. */
  | 'error'

export interface DeployOutcome {
  end: DeployEnd
  /** The last deployment Toolforge reported, if any. */
  deployment: Deployment | undefined
  error: Error | undefined
  /** The creation failed, or was cancelled once sent, in a way that may still have started a deployment. */
  mayHaveStarted: boolean
  startedAt: number
  endedAt: number
  /** Time spent waiting behind another deployment of the tool. */
  queuedMs: number
  /** Stretches of failed status reads while following, in order; the last may have lasted to the end. */
  outages: Outage[]
  /** The deployments this run created before the last one, each failed for Toolforge's own reason. */
  attempts: Attempt[]
  /** Whether the tool serves, after a successful deployment. */
  check?: CheckResult
  /** Which commit each component builds, resolved when the run created the deployment. */
  commits?: CommitReport
  /** The commits compared with the one expected. */
  commitCheck?: CommitCheck
}

export interface DeployDependencies {
  api: ToolforgeApi
  clock: Clock
  signal: AbortSignal
  observer: DeployObserver
  /** Asks the tool's address after a successful deployment (without one, no check is made). */
  probe?: Probe
  /** Reads the refs of the repositories a created deployment builds (without one, no commit is resolved). */
  refs?: RefsReader
  /** Masks the token in what a page served, before any of it is kept. */
  redact?: Redactor
  random?: () => number
}

type Creation = { response: ApiResponse; sentAt: number } | { end: 'timeout' | 'interrupted'; mayHaveStarted?: boolean }

/**
 * Creates the deployment (or takes the given id), follows it and tells which commit it builds; when it fails for
 * Toolforge's own reason, creates another, up to `retries` more, within the run's timeout. Never throws.
 */
export async function deploy(settings: Settings, deps: DeployDependencies): Promise<DeployOutcome> {
  const { clock, signal } = deps
  const startedAt = clock.now()
  const deadline = startedAt + settings.timeoutMs
  const attempts: Attempt[] = []
  for (;;) {
    const outcome = await deployOnce(settings, deps, deadline)
    const run = { ...outcome, startedAt, attempts }
    if (!retryable(settings, outcome) || attempts.length >= settings.retries) return run
    const delay = Math.max(RETRY_BACKOFF.floorMs, backoffDelay(RETRY_BACKOFF, attempts.length + 1, deps.random))
    // No time left for another deployment to finish in: this one's end is the run's.
    if (clock.now() + delay >= deadline) return run
    const attempt: Attempt = {
      deployId: outcome.deployment!.deploy_id,
      status: outcome.deployment!.status ?? '',
      reason: outcome.deployment!.long_status ?? ''
    }
    deps.observer.redeploying?.(attempt, attempts.length + 2, settings.retries + 1, delay)
    await clock.sleep(delay, signal)
    if (signal.aborted) return run
    attempts.push(attempt)
  }
}

/** A deployment that ended failed for Toolforge's own reason, which this run created: worth another. */
function retryable(settings: Settings, outcome: DeployOutcome): boolean {
  return (
    settings.deployId === undefined &&
    outcome.end === 'failed' &&
    statusOf(outcome.deployment!) === 'failed' &&
    failureOwner(outcome.deployment!) === 'toolforge'
  )
}

async function deployOnce(settings: Settings, deps: DeployDependencies, deadline: number): Promise<DeployOutcome> {
  let resolving: Promise<CommitReport> | undefined
  const outcome = await follow(settings, deps, deadline, (toolConfig) => {
    // Right after the creation: what Toolforge's first pass resolves, unless a push comes between.
    if (deps.refs) resolving = resolveCommits(toolConfig, deps.refs, deps.signal, deadline - deps.clock.now())
  })
  if (!resolving) return outcome
  const commits = await resolving
  const commitCheck = compareCommit(commits, settings.expectCommit)
  // Not waiting, the commit is as well known as it will be: the one the ref names now.
  const wrong =
    (outcome.end === 'successful' || outcome.end === 'no-wait') &&
    settings.expectCommit?.source === 'input' &&
    commitCheck?.result !== 'matches'
  return {
    ...outcome,
    end: wrong ? 'other-commit' : outcome.end,
    endedAt: deps.clock.now(),
    commits,
    ...(commitCheck ? { commitCheck } : {})
  }
}

async function follow(
  settings: Settings,
  deps: DeployDependencies,
  deadline: number,
  created: (toolConfig: unknown) => void
): Promise<DeployOutcome> {
  const { clock, signal } = deps
  const startedAt = clock.now()
  let queuedMs = 0
  let deployment: Deployment | undefined
  let createdSentAt: number | undefined
  let check: CheckResult | undefined
  let outages: Outage[] = []
  const finish = (end: DeployEnd, error?: Error, mayHaveStarted = false): DeployOutcome => ({
    end,
    deployment,
    error,
    mayHaveStarted,
    startedAt,
    endedAt: clock.now(),
    queuedMs,
    outages,
    attempts: [],
    ...(check ? { check } : {})
  })

  try {
    if (settings.dryRun) return finish(await checkToken(settings, deps, deadline))
    if (settings.deployId === undefined) {
      const creation = await create(settings, deps, deadline, (ms) => (queuedMs = ms))
      if ('end' in creation) return finish(creation.end, undefined, creation.mayHaveStarted)
      deployment = creation.response.deployment
      createdSentAt = creation.sentAt
      created(deployment.tool_config)
      if (!settings.wait) return finish('no-wait')
    }
    const result = await waitForDeployment(
      deps.api,
      clock,
      {
        deployId: settings.deployId ?? deployment!.deploy_id,
        initial: deployment,
        initialSentAt: createdSentAt,
        deadline,
        pollIntervalMs: settings.pollIntervalMs,
        signal,
        stopWhenQueued: settings.onConflict === 'fail',
        // Without waiting, an existing deployment is read once, within the run's timeout.
        once: !settings.wait,
        random: deps.random
      },
      {
        polled: (response) => {
          deployment = response.deployment
          deps.observer.polled(response)
        },
        queuedOnServer: (queued) => deps.observer.queuedOnServer(queued),
        retrying: (error, failures, delayMs) => deps.observer.retrying(error, failures, delayMs),
        // Kept as they end, for an ending the wait throws (a 404, a 401 after an outage); its result has them all.
        recovered: (outage) => {
          outages = [...outages, outage]
          deps.observer.recovered?.(outage)
        }
      }
    )
    deployment = result.deployment
    queuedMs += result.queuedMs
    outages = result.outages
    if (result.end === 'queued') return finish('queued')
    if (result.end === 'cancelled') return finish('interrupted')
    if (result.end === 'read') return finish('no-wait')
    if (result.end === 'timeout') return finish('timeout')
    if (!isSuccess(result.deployment!.status)) return finish('failed')
    check = await serving(settings, result.deployment!, deps)
    if (signal.aborted) return finish('interrupted')
    return finish(check.result === 'failed' ? 'not-serving' : 'successful')
  } catch (error) {
    if (signal.aborted) return finish('interrupted')
    // Shown once, then gone: Toolforge keeps a tool's last 25 deployments.
    if (error instanceof ApiError && error.status === 404 && deployment !== undefined) return finish('vanished', error)
    // Only a creation that got no answer may have started one; a failed read of a given id did not.
    const mayHaveStarted =
      settings.deployId === undefined &&
      deployment === undefined &&
      error instanceof ApiError &&
      creationMayHaveStarted(error)
    return finish('error', error instanceof Error ? error : new Error(String(error)), mayHaveStarted)
  }
}

async function create(
  settings: Settings,
  { api, clock, signal, observer, random }: DeployDependencies,
  deadline: number,
  setQueuedMs: (ms: number) => void
): Promise<Creation> {
  const request = { description: settings.description, forceBuild: settings.forceBuild, forceRun: settings.forceRun }
  let conflicts = 0
  let failures = 0
  let queuedSince: number | undefined
  let unreachableSince: number | undefined
  for (;;) {
    let delay: number
    let failure: ApiError
    try {
      const sentAt = clock.now()
      const response = await api.createDeployment(request, { signal, deadline })
      if (queuedSince !== undefined) setQueuedMs(clock.now() - queuedSince)
      observer.created(response)
      return { response, sentAt }
    } catch (error) {
      // Cancelled once sent, the request may have been acted on all the same.
      if (signal.aborted)
        return { end: 'interrupted', mayHaveStarted: !(error instanceof ApiError) || error.reachedServer }
      if (!(error instanceof ApiError)) throw error
      failure = error
      if (error.status === 409 && settings.onConflict === 'wait') {
        queuedSince ??= clock.now()
        conflicts += 1
        delay = Math.round(
          Math.min(CONFLICT_BACKOFF.maxMs, CONFLICT_BACKOFF.firstMs * CONFLICT_BACKOFF.growth ** (conflicts - 1))
        )
        delay = Math.max(delay, error.retryAfterMs ?? 0)
        observer.queued(error, conflicts, delay)
      } else if (creationSurelyNotStarted(error)) {
        failures += 1
        if (failures >= MAX_CONSECUTIVE_FAILURES)
          throw new GaveUpError('attempts to create the deployment', failures, error)
        delay = Math.max(backoffDelay(CREATE_BACKOFF, failures, random), error.retryAfterMs ?? 0)
        unreachableSince = isUnreachable(error) ? (unreachableSince ?? clock.now()) : undefined
        if (unreachableSince !== undefined && clock.now() + delay - unreachableSince > UNREACHABLE_CREATION_MS) {
          throw new GaveUpError('attempts to create the deployment', failures, error)
        }
        observer.creationRetrying(error, failures, delay)
      } else throw error
    }
    const giveUp = clock.now() + delay >= deadline
    await clock.sleep(giveUp ? deadline - clock.now() : delay, signal)
    if (signal.aborted) return { end: 'interrupted' }
    if (giveUp) {
      if (queuedSince !== undefined) setQueuedMs(clock.now() - queuedSince)
      // Out of time behind another deployment is a timeout; out of time because the API
      // cannot be reached is that failure.
      if (failure.status === 409) return { end: 'timeout' }
      throw new GaveUpError('attempts to create the deployment', failures, failure)
    }
  }
}

/**
 * A deployment id of the right form that no tool has: the token is checked before the
 * handler looks it up, so Toolforge answers 404 when it accepts the token, and 401 with
 * its reason (wrong, expired, none yet) when it does not. Nothing is created.
 */
export const NO_SUCH_DEPLOYMENT = '19700101-000000-dryrun0000'

/** The dry run's one question, retried as a status read is; throws what Toolforge refused. */
async function checkToken(
  settings: Settings,
  { api, clock, signal, observer, random }: DeployDependencies,
  deadline: number
): Promise<DeployEnd> {
  for (let failures = 1; ; failures++) {
    try {
      await api.getDeployment(NO_SUCH_DEPLOYMENT, { signal, deadline })
      return 'token-accepted'
    } catch (error) {
      if (signal.aborted) return 'interrupted'
      if (!(error instanceof ApiError)) throw error
      if (error.status === 404) return 'token-accepted'
      if (!isTransient(error)) throw error
      if (failures >= MAX_CONSECUTIVE_FAILURES) throw new GaveUpError('token checks', failures, error)
      const delay = Math.max(backoffDelay(READ_BACKOFF, failures, random), error.retryAfterMs ?? 0)
      if (clock.now() + delay >= deadline) return 'timeout'
      observer.retrying(error, failures, delay)
      await clock.sleep(delay, signal)
      if (signal.aborted) return 'interrupted'
    }
  }
}

/** Whether the deployed tool serves (serving-check.ts); skipped without a way to probe. */
async function serving(
  settings: Settings,
  deployment: Deployment,
  { clock, signal, observer, probe, redact }: DeployDependencies
): Promise<CheckResult> {
  const plan = probe
    ? planCheck(settings.check, settings.toolAddress, deployment.tool_config, settings.checkExpect)
    : { skip: 'no way to probe' }
  if ('skip' in plan) {
    // Asked to prove what serves, a check that could not be made is no proof.
    return {
      result: settings.checkExpect === undefined ? 'skipped' : 'failed',
      reason: plan.skip,
      answers: [],
      durationMs: 0
    }
  }
  return checkServing(plan.probe, settings.checkTimeoutMs, { clock, probe: probe!, signal, observer, redact })
}
