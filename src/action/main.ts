import * as core from '@actions/core'
import { createActionLog } from './log.js'
import { createActionReporter } from './reporter.js'
import { systemClock } from '../engine/clock.js'
import { InputError } from '../settings/input-error.js'
import { ACTION_INPUT_NAMES, readSettings } from '../settings/inputs.js'
import { requireLoopbackHost } from '../settings/loopback.js'
import { deployLive } from '../engine/live-deploy.js'
import { createRedactor, secretForms } from '../engine/redact.js'
import { oneLine } from '../report/sanitize.js'
import { USER_AGENT } from '../engine/version.js'

/** The action: the one place where the run's fate is decided. Never throws. */
export async function run(): Promise<void> {
  // Untrimmed, so that a token with stray white space is refused rather than altered.
  const token = core.getInput('token', { trimWhitespace: false })
  const redact = createRedactor([token])
  try {
    if (token) for (const form of secretForms(token)) core.setSecret(form)
    const settings = readSettings((name) => (name === 'token' ? token : core.getInput(name)), process.env)
    await requireLoopbackHost(settings.apiUrl, ACTION_INPUT_NAMES)
    const log = createActionLog(redact)
    const reporter = createActionReporter(settings, log, redact, systemClock.now)
    log.info(
      settings.deployId ? `Following deployment ${settings.deployId} of ${settings.tool}` : `Deploying ${settings.tool} through ${settings.apiUrl}`
    )
    await reporter.finish(await deployLive(settings, reporter, USER_AGENT))
  } catch (error) {
    if (error instanceof InputError) return core.setFailed(redact(error.message))
    // With NODE_OPTIONS=--enable-source-maps the stack points into src/.
    if (error instanceof Error && error.stack) core.debug(redact(error.stack))
    core.setFailed(oneLine(redact(`unexpected error: ${error instanceof Error ? error.message : String(error)}`)))
  }
}
