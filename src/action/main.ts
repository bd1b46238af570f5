import * as core from '@actions/core'
import { systemClock } from '../engine/clock.js'
import { deployLive } from '../engine/live-deploy.js'
import { createRedactor, secretForms } from '../engine/redact.js'
import { USER_AGENT } from '../engine/version.js'
import { badInputVerdict, checksConfigOnly, configLine, TOKEN_NOT_CHECKED } from '../report/outcome.js'
import { configSummaryModel } from '../report/summary.js'
import { CONFIG_RULES_UPSTREAM } from '../settings/config-rules.js'
import type { Settings } from '../settings/settings.js'
import { InputError } from '../settings/input-error.js'
import { isMaskableToken, readSettings } from '../settings/inputs.js'
import { earlyResult } from '../report/result.js'
import { annotationText, createActionLog, type ActionLog } from './log.js'
import { createActionReporter, setOutputs, writeSummary } from './reporter.js'

/** Annotates every problem of the config file at its line; whether Toolforge would accept the config. */
function checkedConfig(settings: Settings, log: ActionLog): boolean {
  const config = settings.config!
  for (const w of config.warnings) log.warning(w.message, { file: w.file, line: w.line, column: w.column, title: 'Components config' })
  for (const e of config.errors) log.error(e.message, { file: e.file, line: e.line, column: e.column, title: 'Components config' })
  if (config.errors.length === 0) log.info(`${configLine(config)} (the rules of config ${CONFIG_RULES_UPSTREAM.configVersion}, upstream ${CONFIG_RULES_UPSTREAM.commit}).`)
  return config.errors.length === 0
}

/** The action: the one place where the run's fate is decided. Never throws. */
export async function run(): Promise<void> {
  // Untrimmed, so that a token with stray white space is refused rather than altered.
  const token = core.getInput('token', { trimWhitespace: false })
  // A token too short to be one is refused by readSettings, and never masked: masking `e` would hide every e.
  const secret = isMaskableToken(token) ? token : ''
  const redact = createRedactor([secret])
  const log = createActionLog(redact)
  try {
    if (secret) for (const form of secretForms(secret)) core.setSecret(form)
    const settings = readSettings((name) => (name === 'token' ? token : core.getInput(name)), process.env)
    if (settings.tokenWarning) log.warning(settings.tokenWarning, { title: 'Deploy token' })
    if (settings.config && !checkedConfig(settings, log)) {
      await writeSummary(configSummaryModel(settings), log, redact)
      const n = settings.config.errors.length
      const problems = n === 1 ? 'a problem, annotated at its line' : `${n} problems, annotated at their lines`
      const message = `${configLine(settings.config)} (${problems}); nothing was sent`
      setOutputs(earlyResult('bad-input', { kind: 'config', message }, settings.toolAddress), redact)
      return core.setFailed(annotationText(redact, message))
    }
    if (checksConfigOnly(settings)) {
      log.info(TOKEN_NOT_CHECKED)
      setOutputs(earlyResult('config-accepted', null, settings.toolAddress), redact)
      return writeSummary(configSummaryModel(settings), log, redact)
    }
    const reporter = createActionReporter(settings, log, redact, systemClock.now)
    log.info(
      settings.dryRun
        ? `Asking Toolforge through ${settings.apiUrl} whether it accepts the deploy token for ${settings.tool} (dry run: nothing is deployed)`
        : settings.deployId
          ? `Following deployment ${settings.deployId} of ${settings.tool}`
          : `Deploying ${settings.tool} through ${settings.apiUrl}`
    )
    await reporter.finish(await deployLive(settings, reporter, USER_AGENT))
  } catch (error) {
    if (error instanceof InputError) {
      // The summary says it too: that is where people look when a run goes red.
      await writeSummary({ verdict: badInputVerdict(error.message), facts: [], components: [] }, log, redact)
      setOutputs(earlyResult('bad-input', { kind: 'input', message: error.message }), redact)
      return core.setFailed(redact(error.message))
    }
    // With NODE_OPTIONS=--enable-source-maps the stack points into src/.
    if (error instanceof Error && error.stack) core.debug(redact(error.stack))
    core.setFailed(annotationText(redact, `unexpected error: ${error instanceof Error ? error.message : String(error)}`))
  }
}
