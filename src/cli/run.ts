import { systemClock } from '../engine/clock.js'
import { deployLive } from '../engine/live-deploy.js'
import { createRedactor } from '../engine/redact.js'
import { CLI_USER_AGENT, VERSION } from '../engine/version.js'
import { checksConfigOnly, configLine, TOKEN_NOT_CHECKED, type OutcomeKind } from '../report/outcome.js'
import { dotenvOf, earlyResult, jsonOf, type RunError } from '../report/result.js'
import { InputError } from '../settings/input-error.js'
import { isMaskableToken, readSettings } from '../settings/inputs.js'
import { parseCliArgs, SNIPPET_TOKEN_VARIABLE, SNIPPET_VARIABLES, TOKEN_VARIABLE, UsageError, USAGE } from './args.js'
import { createCliReporter, EXIT } from './reporter.js'
import { writeOwnFile } from './write-file.js'
import { inertForTerminal, type Terminal } from './terminal.js'

/** The command: same engine and messages as the action; returns the exit code. Never throws. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, terminal: Terminal): Promise<number> {
  // A token too short to be one is refused by readSettings, and never masked: masking `e` would hide every e.
  const redact = createRedactor([env[TOKEN_VARIABLE] ?? '', env[SNIPPET_TOKEN_VARIABLE] ?? ''].filter(isMaskableToken))
  // Known even when the rest of the flags are not: a script asked for JSON gets JSON.
  const json = argv.includes('--json')
  let dotenv: string | undefined
  // Ended before any deployment was asked for: the same result record as any other ending.
  const endEarly = (kind: OutcomeKind, error: RunError | null, toolAddress = '') => {
    const result = earlyResult(kind, error, toolAddress)
    if (error) terminal.err.write(`toolforge-deploy: ${redact(inertForTerminal(error.message))}\n`)
    if (json) terminal.out.write(`${redact(inertForTerminal(jsonOf(result)))}\n`)
    if (dotenv) writeOwnFile(dotenv, redact(dotenvOf(result)))
    return result.exitCode
  }
  try {
    const options = parseCliArgs(argv, env)
    dotenv = options.dotenv
    if (options.help || options.version) {
      terminal.out.write(options.help ? USAGE : `toolforge-deploy ${VERSION}\n`)
      return EXIT.success
    }
    const settings = readSettings(options.read, env, options.names, 'toolforge-deploy')
    const log = options.json ? terminal.err : terminal.out
    if (settings.tokenWarning) terminal.err.write(`warning: ${settings.tokenWarning}\n`)
    if (options.fromEnvironment.length > 0) {
      const named = options.fromEnvironment.map((variable) => (SNIPPET_VARIABLES.includes(variable) ? `${variable} (from Toolforge's GitLab snippet)` : variable))
      log.write(`Taken from the environment: ${named.join(', ')}\n`)
    }
    if (settings.config) {
      const config = settings.config
      // As compilers say it, so that editors and terminals link each line to the file.
      for (const [kind, list] of [['warning', config.warnings], ['error', config.errors]] as const) {
        for (const p of list) terminal.err.write(`${redact(inertForTerminal(`${p.file}:${p.line}:${p.column}: ${kind}: ${p.message}`))}\n`)
      }
      if (config.errors.length > 0) return endEarly('bad-input', { kind: 'config', message: `${configLine(config)}; nothing was sent` }, settings.toolAddress)
      log.write(`${redact(inertForTerminal(configLine(config)))}\n`)
      if (checksConfigOnly(settings)) {
        log.write(`${TOKEN_NOT_CHECKED}\n`)
        return endEarly('config-accepted', null, settings.toolAddress)
      }
    }
    const reporter = createCliReporter(settings, terminal, env, options, redact, systemClock.now)
    return reporter.finish(await deployLive(settings, reporter, CLI_USER_AGENT))
  } catch (error) {
    if (error instanceof UsageError) return endEarly('bad-input', { kind: 'usage', message: `${error.message}\nRun toolforge-deploy --help for the options.` })
    if (error instanceof InputError) return endEarly('bad-input', { kind: 'input', message: error.message })
    return endEarly('unreachable', { kind: 'unexpected', message: `unexpected error: ${error instanceof Error ? error.message : String(error)}` })
  }
}
