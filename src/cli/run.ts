import { parseCliArgs, UsageError, USAGE, CLI_INPUT_NAMES } from './args.js'
import { createCliReporter, EXIT, type Terminal } from './reporter.js'
import { systemClock } from '../engine/clock.js'
import { InputError } from '../settings/input-error.js'
import { readSettings } from '../settings/inputs.js'
import { requireLoopbackHost } from '../settings/loopback.js'
import { deployLive } from '../engine/live-deploy.js'
import { createRedactor } from '../engine/redact.js'
import { CLI_USER_AGENT, VERSION } from '../engine/version.js'

/** The command: same engine and messages as the action; returns the exit code. Never throws. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, terminal: Terminal): Promise<number> {
  const redact = createRedactor([env.TOOLFORGE_DEPLOY_TOKEN ?? ''])
  const fail = (code: number, message: string) => {
    terminal.err.write(`toolforge-deploy: ${redact(message)}\n`)
    return code
  }
  try {
    const options = parseCliArgs(argv, env)
    if (options.help || options.version) {
      terminal.out.write(options.help ? USAGE : `toolforge-deploy ${VERSION}\n`)
      return EXIT.success
    }
    const settings = readSettings(options.read, env, CLI_INPUT_NAMES, 'toolforge-deploy')
    await requireLoopbackHost(settings.apiUrl, CLI_INPUT_NAMES)
    const reporter = createCliReporter(settings, terminal, env, options, redact, systemClock.now)
    return reporter.finish(await deployLive(settings, reporter, CLI_USER_AGENT))
  } catch (error) {
    if (error instanceof UsageError) return fail(EXIT.usage, `${error.message}\nRun toolforge-deploy --help for the options.`)
    if (error instanceof InputError) return fail(EXIT.usage, error.message)
    return fail(EXIT.refused, `unexpected error: ${error instanceof Error ? error.message : String(error)}`)
  }
}
