import type { Deployment } from './toolforge-types.js'

/**
 * Whose failure a failed deployment is: the tool's (its build, its run settings) or
 * Toolforge's own (a service that erred, a build record lost, a backend that timed out).
 * Read from the texts the real server leaves (components/deploy_task.py and
 * runtime/toolforge.py at the pinned commit; docs/failures.md has the table): every
 * exception in the deploy flow ends as `failed` with `Got exception: <error>`, so the
 * state alone would blame the tool for a build that Toolforge lost.
 */
export type FailureOwner = 'tool' | 'toolforge'

const GOT = /^Got exception: /
/** `500 Server Error: …` as requests words an HTTPError; a 4xx is the request's own fault. */
const SERVER_ERROR = /\b5\d\d Server Error\b|\(5\d\d\)/
const CLIENT_ERROR = /\b4\d\d Client Error\b|\(4\d\d\)/
/** What requests says when a service did not answer in time, or at all. */
const NO_ANSWER =
  /Read timed out|ReadTimeout|ConnectionError|Connection refused|Max retries exceeded|RemoteDisconnected/
const LOST_BUILD = /^build \S+ not found, maybe it was deleted\?$/
const SERVICE_ERROR = /^Unknown (HTTP )?error\b/
const QUEUE_FULL = /Timed out waiting for the build queue/

/** A service's answer, in a message: Toolforge's when it erred or did not answer, else the request's. */
function byAnswer(text: string): FailureOwner {
  if (CLIENT_ERROR.test(text)) return 'tool'
  return SERVER_ERROR.test(text) || NO_ANSWER.test(text) ? 'toolforge' : 'tool'
}

/** Whose fault a deployment that ended `failed` is. */
export function failureOwner(deployment: Deployment): FailureOwner {
  const long = deployment.long_status ?? ''
  if (!GOT.test(long)) return 'tool'
  const error = long.replace(GOT, '')
  const builds = Object.values(deployment.builds)
  if (error.startsWith('Some builds failed to start: '))
    // No build slot freed in time: Toolforge's capacity, not the tool.
    return QUEUE_FULL.test(error) ? 'toolforge' : byAnswer(error)
  if (error.startsWith('Some builds failed')) {
    // Failed as Toolforge saw it; lost is Toolforge's doing.
    const failed = builds.filter((b) => b.build_status === 'failed')
    return failed.length > 0 && failed.every((b) => LOST_BUILD.test(b.build_long_status ?? '')) ? 'toolforge' : 'tool'
  }
  if (error.startsWith('Some builds took too long to finish: '))
    // Stuck in `unknown` because the builds service kept failing, or a build that is simply too long.
    return builds.some((b) => SERVICE_ERROR.test(b.build_long_status ?? '')) ? 'toolforge' : 'tool'
  if (error.startsWith('Failed run for component ')) return byAnswer(error)
  // Any other exception is one of Toolforge's own code or storage.
  return 'toolforge'
}
