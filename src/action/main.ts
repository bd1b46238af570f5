import * as core from '@actions/core'
import { systemClock } from '../engine/clock.js'
import { createRedactor, secretForms } from '../engine/redact.js'
import { USER_AGENT } from '../engine/version.js'
import { configLine, INPUT_VOICE } from '../report/outcome.js'
import { runFlow } from '../run/run-flow.js'
import { CONFIG_RULES_UPSTREAM } from '../settings/config-rules.js'
import { ACTION_INPUT_NAMES, isMaskableToken } from '../settings/inputs.js'
import type { CheckedConfig } from '../settings/settings.js'
import { annotationText, createActionLog, type ActionLog } from './log.js'
import { createActionReporter, setOutputs, writeSummary, type ActionReporter } from './reporter.js'

/** Annotates every problem of the config file at its line, or says that Toolforge would accept it. */
function annotateConfig(config: CheckedConfig, log: ActionLog): void {
  for (const w of config.warnings)
    log.warning(w.message, { file: w.file, line: w.line, column: w.column, title: 'Components config' })
  for (const e of config.errors)
    log.error(e.message, { file: e.file, line: e.line, column: e.column, title: 'Components config' })
  if (config.errors.length === 0)
    log.info(
      `${configLine(config)} (the rules of config ${CONFIG_RULES_UPSTREAM.configVersion}, upstream ` +
        `${CONFIG_RULES_UPSTREAM.commit}).`
    )
}

/**
 * The action: the run (src/run/) in the runner's terms. The one place where the step's fate is decided; never throws.
 */
export async function run(): Promise<void> {
  // Untrimmed, so that a token with stray white space is refused rather than altered.
  const token = core.getInput('token', { trimWhitespace: false })
  // A token too short to be one is refused by readSettings, and never masked: masking `e` would hide every e.
  const secret = isMaskableToken(token) ? token : ''
  const redact = createRedactor([secret])
  const log = createActionLog(redact)
  if (secret) for (const form of secretForms(secret)) core.setSecret(form)
  let reporter: ActionReporter | undefined
  await runFlow({
    program: 'toolforge/deploy-action',
    userAgent: USER_AGENT,
    voice: () => INPUT_VOICE,
    inputs: () => ({
      read: (name) => (name === 'token' ? token : core.getInput(name)),
      names: ACTION_INPUT_NAMES,
      env: process.env
    }),
    warn: (text, title) => log.warning(text, { title }),
    say: (text) => log.info(text),
    starting: (line) => log.info(line),
    debug: (text) => log.debug(text),
    configChecked: (config) => annotateConfig(config, log),
    follow: (settings) => (reporter = createActionReporter(settings, log, redact, systemClock.now)),
    end: async ({ result, model, outcome }) => {
      if (reporter && outcome) reporter.finish(outcome)
      setOutputs(result, redact)
      // The summary says it too: that is where people look when a run goes red.
      await writeSummary(model, log, redact)
      // Several bad inputs: an error each, at once.
      if (result.error?.problems) {
        for (const problem of result.error.problems) log.error(problem)
        process.exitCode = core.ExitCode.Failure
      } else if (result.error) core.setFailed(annotationText(redact, result.error.message))
    }
  })
}
