import type { DeployOutcome } from '../engine/deploy.js'
import { deployLive } from '../engine/live-deploy.js'
import { abortOnSignals } from '../engine/signals.js'
import type { Narrator } from '../report/narrator.js'
import {
  badInputVerdict,
  checksConfigOnly,
  configLine,
  TOKEN_NOT_CHECKED,
  unexpectedVerdict,
  type Verdict,
  type Voice
} from '../report/outcome.js'
import { earlyResult, runResult, type RunResult } from '../report/result.js'
import { configSummaryModel, summaryModel, type SummaryModel } from '../report/summary.js'
import { InputError, InputErrors, UsageError, type InputNames } from '../settings/input-error.js'
import { readSettings, type InputReader } from '../settings/inputs.js'
import type { CheckedConfig, Settings } from '../settings/settings.js'

/**
 * The one run, for every front end: inputs → settings → the config file's check → the
 * deployment, followed to its end and its serving check → the result. A front end only
 * says where the inputs come from and where each part of the story goes (FrontEnd);
 * every ending reaches its `end` once, with the result record. Never throws.
 */

export interface FrontEnd {
  /** The name the default description gives the deployer. */
  program: string
  userAgent: string
  /** How this front end names its options in advice. */
  voice(settings: Settings): Voice
  /** Where the inputs come from; throws UsageError or InputError for a call that cannot be read. */
  inputs(): { read: InputReader; names: InputNames; env: NodeJS.ProcessEnv }
  /** Said once, before anything is sent. */
  warn(text: string, title: string): void
  /** A line of the run's own, before the deployment's story. */
  say(text: string): void
  /**
   * What the run is about to ask Toolforge, in one line (a front end with a live line of its own may keep it to
   * itself).
   */
  starting(line: string): void
  /** For whoever debugs the run: an unexpected error's stack. */
  debug(text: string): void
  /** The config file's problems, each at its line, before anything is sent. */
  configChecked(config: CheckedConfig): void
  /** The deployment is about to be asked for: its narrator, which the engine reports to. */
  follow(settings: Settings): Narrator
  /** Every ending, once: what to render, and the record every output is made from. */
  end(ending: Ending): Promise<void>
}

export interface Ending {
  result: RunResult
  /** The summary, when the run got as far as reading its inputs. */
  model: SummaryModel
  /** Absent when the inputs could not be read. */
  settings?: Settings
  /** Absent when the run ended before any request. */
  outcome?: DeployOutcome
}

/** A summary that is its verdict alone: nothing was asked of Toolforge. */
const verdictOnly = (verdict: Verdict): SummaryModel => ({ verdict, facts: [], components: [] })

/** What the run is about to do, in one line. */
function startLine(settings: Settings): string {
  if (settings.dryRun)
    return (
      `Asking Toolforge through ${settings.apiUrl} whether it accepts the deploy token for ${settings.tool} ` +
      `(dry run: nothing is deployed)`
    )
  if (settings.deployId) return `Following deployment ${settings.deployId} of ${settings.tool}`
  return `Deploying ${settings.tool} through ${settings.apiUrl}`
}

/** The reason a config Toolforge would refuse stops the run. */
function configRefusal(config: CheckedConfig): string {
  const n = config.errors.length
  return (
    `${configLine(config)} ` +
    `(${n === 1 ? 'a problem, told at its line' : `${n} problems, each told at its line`}); nothing was sent`
  )
}

export async function runFlow(front: FrontEnd): Promise<RunResult> {
  // From the first moment to the last line written: a second signal, or one that comes while the ending is
  // written, must not kill the run before its summary and outputs exist.
  const cancel = new AbortController()
  const removeHandlers = abortOnSignals(cancel)
  try {
    return await runUntilEnd(front, cancel.signal)
  } finally {
    removeHandlers()
  }
}

async function runUntilEnd(front: FrontEnd, signal: AbortSignal): Promise<RunResult> {
  let settings: Settings | undefined
  const endEarly = async (result: RunResult, model: SummaryModel) => {
    await front.end({ result, model, ...(settings ? { settings } : {}) })
    return result
  }
  try {
    const { read, names, env } = front.inputs()
    settings = readSettings(read, env, names, front.program)
    if (settings.tokenWarning) front.warn(settings.tokenWarning, 'Deploy token')
    if (settings.config) {
      front.configChecked(settings.config)
      if (settings.config.errors.length > 0) {
        return endEarly(
          earlyResult('bad-input', { kind: 'config', message: configRefusal(settings.config) }, settings.toolAddress),
          configSummaryModel(settings)
        )
      }
      if (checksConfigOnly(settings)) {
        front.say(TOKEN_NOT_CHECKED)
        return endEarly(earlyResult('config-accepted', null, settings.toolAddress), configSummaryModel(settings))
      }
    }
    front.starting(startLine(settings))
    const narrator = front.follow(settings)
    const outcome = await deployLive(settings, narrator, front.userAgent, signal)
    const model = summaryModel(outcome, settings, front.voice(settings), narrator.timeline())
    const result = runResult(outcome, settings, model.verdict.problem)
    await front.end({ result, model, settings, outcome })
    return result
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) {
      const kind = error instanceof InputError ? 'input' : 'usage'
      const problems = error instanceof InputErrors ? error.errors.map((each) => each.message) : undefined
      // Thrown while the inputs were read: there are no settings yet.
      return endEarly(
        earlyResult('bad-input', { kind, message: error.message, ...(problems ? { problems } : {}) }),
        verdictOnly(badInputVerdict(error.message, problems))
      )
    }
    // With NODE_OPTIONS=--enable-source-maps the stack points into src/.
    if (error instanceof Error && error.stack) front.debug(error.stack)
    const message = `unexpected error: ${error instanceof Error ? error.message : String(error)}`
    return endEarly(
      earlyResult('unreachable', { kind: 'unexpected', message }),
      verdictOnly(unexpectedVerdict(message))
    )
  }
}
