import { isUnreachable, type ApiError } from '../engine/api-error.js'
import { UNREACHABLE_CREATION_MS, type DeployObserver } from '../engine/deploy.js'
import { formatDuration } from '../settings/duration.js'
import { HEARTBEAT_MS, ProgressLog } from './progress.js'
import { TimelineRecorder, type TimelineModel } from './timeline.js'
import { deploymentJson, oneLine } from './sanitize.js'
import type { Settings } from '../settings/settings.js'
import { isKnownStatus, looksQueuedOnServer, statusOf } from '../engine/status.js'
import type { ApiResponse } from '../engine/toolforge-client.js'
import type { Deployment, ResponseMessages } from '../engine/toolforge-types.js'

/** Where a front end puts what the narrator says. */
export interface NarrationSink {
  line(text: string): void
  debug(text: string): void
  warning(text: string, title?: string): void
  notice(text: string, title?: string): void
}

const MAX_UNKNOWN_STATUS_WARNINGS = 5

export interface Narrator extends DeployObserver {
  /** Where the time went, as observed so far. */
  timeline(): TimelineModel
}

/** Probe answers are said when they change, or at most this often. */
const PROBE_LINE_EVERY_MS = 30_000

/**
 * Tells a deployment's progress in words, the same for every front end: a line per
 * change, a heartbeat per quiet minute, Toolforge's messages once each, one warning per
 * unknown status, what is being retried, and how the serving check goes. Records the
 * timeline on the way.
 */
export function createNarrator(
  settings: Settings,
  sink: NarrationSink,
  now: () => number,
  { onDeployment = () => {}, lineWidth }: { onDeployment?: (deployment: Deployment) => void; lineWidth?: number } = {}
): Narrator {
  const startedAt = now()
  // Both start again with each new deployment: what they tell is one deployment's story.
  let progress = new ProgressLog(startedAt, lineWidth)
  let recorder = new TimelineRecorder(startedAt)
  let lastProbe: { answer: string; at: number } | undefined
  const shownMessages = new Set<string>()
  const warnedStatuses = new Set<string>()
  let lastQueuedLine = -Infinity
  // A failing API is told when it starts failing, when its reason changes, and once a quiet minute: not per read.
  let failing: { reason: string; lineAt: number } | undefined
  let queuedOnServer = false
  const elapsed = () => `[${formatDuration(now() - startedAt)}]`

  function showMessages(messages: ResponseMessages): void {
    for (const [kind, texts] of Object.entries(messages)) {
      for (const text of texts as string[]) {
        const key = `${kind}:${text}`
        if (shownMessages.has(key)) continue
        shownMessages.add(key)
        sink.line(`Toolforge ${kind === 'info' ? 'says' : kind}: ${oneLine(text)}`)
      }
    }
  }

  function observe(response: ApiResponse): void {
    const { deployment } = response
    onDeployment(deployment)
    showMessages(response.messages)
    sink.debug(`status check: ${deploymentJson(deployment)}`)
    const status = statusOf(deployment)
    if (!isKnownStatus(status) && !warnedStatuses.has(status) && warnedStatuses.size < MAX_UNKNOWN_STATUS_WARNINGS) {
      warnedStatuses.add(status)
      sink.warning(
        `Toolforge reported a status this version does not know, "${oneLine(status, 100)}"; it is taken as not ` +
          `final, and waiting goes on.`
      )
    }
    // The time queued on the server is the timeline's first bar, until the deployment starts.
    if (queuedOnServer) {
      recorder.queuedUntil(now())
      queuedOnServer = looksQueuedOnServer(deployment)
    }
    recorder.observe(deployment, now())
    const line = progress.update(deployment, now(), recorder.model()) ?? progress.heartbeat(now())
    if (line) sink.line(line)
  }

  function retryLine(what: string, error: ApiError, attempt: number, delayMs: number): void {
    sink.line(
      `${elapsed()} ${what} failed (${oneLine(error.message)}); trying again in ${formatDuration(delayMs)} (failure ` +
        `${attempt} in a row)`
    )
  }

  return {
    timeline: () => recorder.model(),
    created(response) {
      if (lastQueuedLine > -Infinity) recorder.queuedUntil(now())
      sink.line(`Created deployment ${oneLine(response.deployment.deploy_id, 100)} of ${settings.tool}`)
      observe(response)
    },
    probed(target, answer, attempt, nextInMs) {
      if (attempt === 1) {
        const name = target.component === undefined ? undefined : oneLine(target.component, 60)
        const what = name === undefined ? '' : target.strict ? ` (${name}'s health check)` : ` (published by ${name})`
        sink.line(`Checking that ${oneLine(target.url, 300)} serves${what}`)
      }
      if (answer === lastProbe?.answer && now() - lastProbe.at < PROBE_LINE_EVERY_MS && nextInMs !== undefined) return
      lastProbe = { answer, at: now() }
      const next = nextInMs === undefined ? '' : `; asking again in ${formatDuration(nextInMs)}`
      sink.line(`${elapsed()} ${oneLine(target.url, 300)} answered ${answer}${next}`)
    },
    polled: observe,
    queuedOnServer(deployment) {
      queuedOnServer = true
      sink.notice(
        `Deployment ${oneLine(deployment.deploy_id, 100)} is queued on Toolforge behind another deployment of ` +
          `${settings.tool}; Toolforge starts it when the deployments ahead of it have finished.`,
        'Queued on Toolforge behind another deployment'
      )
    },
    retrying(error, failures, delayMs) {
      const reason = oneLine(error.message)
      if (failing?.reason === reason && now() - failing.lineAt < HEARTBEAT_MS) return
      if (failing === undefined) retryLine('status check', error, failures, delayMs)
      else
        sink.line(
          `${elapsed()} status checks still failing (${failures} in a row; the last: ${reason}); trying again in ` +
            `${formatDuration(delayMs)}`
        )
      failing = { reason, lineAt: now() }
    },
    redeploying(attempt, next, of, delayMs) {
      progress = new ProgressLog(startedAt, lineWidth)
      recorder = new TimelineRecorder(now() + delayMs)
      sink.notice(
        `Deployment ${oneLine(attempt.deployId, 100)} failed for Toolforge's own reason, not the tool's ` +
          `(${oneLine(attempt.reason, 300)}); deploying again in ${formatDuration(delayMs)} (deployment ${next} of ` +
          `at most ${of}).`,
        "Deploying again after Toolforge's own failure"
      )
    },
    recovered(outage) {
      failing = undefined
      sink.line(
        `${elapsed()} Toolforge answers again, after ${formatDuration(outage.endedAt - outage.startedAt)} of failed ` +
          `status checks (${outage.failures})`
      )
    },
    creationRetrying(error, attempt, delayMs) {
      retryLine('creating the deployment', error, attempt, delayMs)
      if (attempt === 1 && isUnreachable(error))
        sink.line(`The API cannot be reached: this run fails if that lasts ${formatDuration(UNREACHABLE_CREATION_MS)}.`)
    },
    queued(error, attempt, delayMs) {
      if (attempt === 1) {
        const said = error.toolforgeErrors.join('; ')
        sink.notice(
          `Another deployment of ${settings.tool} is in progress on Toolforge${said ? ` (${said})` : ''}; this one ` +
            `will be created when it has finished (on-conflict: wait).`,
          'Queued behind another Toolforge deployment'
        )
      } else if (now() - lastQueuedLine >= HEARTBEAT_MS) {
        sink.line(`${elapsed()} still queued behind another deployment; next attempt in ${formatDuration(delayMs)}`)
      } else return
      lastQueuedLine = now()
    }
  }
}
