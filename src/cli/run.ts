import { systemClock } from '../engine/clock.js'
import { createRedactor } from '../engine/redact.js'
import { CLI_USER_AGENT, VERSION } from '../engine/version.js'
import { configLine, INPUT_VOICE } from '../report/outcome.js'
import { dotenvOf, EXIT, jsonOf } from '../report/result.js'
import { wrapLine } from '../report/text.js'
import { runFlow } from '../run/run-flow.js'
import { isMaskableToken } from '../settings/inputs.js'
import {
  parseCliArgs,
  SNIPPET_TOKEN_VARIABLE,
  SNIPPET_VARIABLES,
  TOKEN_VARIABLE,
  USAGE,
  type CliOptions
} from './args.js'
import { jobTimeoutWarning } from './job-timeout.js'
import { cliVoice, createCliReporter, type CliReporter } from './reporter.js'
import { inertForTerminal, type Terminal } from './terminal.js'
import { writeOwnFile } from './write-file.js'

/** The command: the run (src/run/) in a terminal's terms; returns the exit code. Never throws. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, terminal: Terminal): Promise<number> {
  // A token too short to be one is refused by readSettings, and never masked: masking `e` would hide every e.
  const redact = createRedactor([env[TOKEN_VARIABLE] ?? '', env[SNIPPET_TOKEN_VARIABLE] ?? ''].filter(isMaskableToken))
  const say = (stream: Terminal['out'], text: string) => stream.write(`${redact(inertForTerminal(text))}\n`)
  // Known even when the rest of the flags are not: a script asked for JSON gets JSON.
  const json = argv.includes('--json')
  let options: CliOptions | undefined
  let unreadable: unknown
  try {
    options = parseCliArgs(argv, env)
  } catch (error) {
    // Told by the run, as every ending is.
    unreadable = error
  }
  if (options?.help || options?.version) {
    terminal.out.write(options.help ? USAGE : `toolforge-deploy ${VERSION}\n`)
    return EXIT.success
  }
  let reporter: CliReporter | undefined
  // With --json, stdout holds the JSON alone.
  const log = () => (json ? terminal.err : terminal.out)
  const result = await runFlow({
    program: 'toolforge-deploy',
    userAgent: CLI_USER_AGENT,
    voice: (settings) => (options?.component ? INPUT_VOICE : cliVoice(settings)),
    inputs() {
      if (!options) throw unreadable
      if (options.component && options.component.inputsSet.length > 0)
        say(log(), `Inputs set: ${options.component.inputsSet.join(', ')}`)
      if (options.fromEnvironment.length > 0) {
        const named = options.fromEnvironment.map((variable) =>
          SNIPPET_VARIABLES.includes(variable) ? `${variable} (from Toolforge's GitLab snippet)` : variable
        )
        say(log(), `Taken from the environment: ${named.join(', ')}`)
      }
      return { read: options.read, names: options.names, env }
    },
    warn: (text) => say(terminal.err, `warning: ${text}`),
    say: (text) => say(log(), text),
    // The live line says what the run is doing.
    starting: () => {},
    debug: () => {},
    configChecked(config) {
      // As compilers say it, so that editors and terminals link each line to the file.
      for (const [kind, list] of [
        ['warning', config.warnings],
        ['error', config.errors]
      ] as const) {
        for (const p of list) say(terminal.err, `${p.file}:${p.line}:${p.column}: ${kind}: ${p.message}`)
      }
      if (config.errors.length === 0) say(log(), configLine(config))
    },
    follow(settings) {
      const jobTimeout = jobTimeoutWarning(settings, env, options!.names, systemClock.now())
      if (jobTimeout) say(terminal.err, `warning: ${jobTimeout}`)
      return (reporter = createCliReporter(settings, terminal, env, options!, redact, systemClock.now))
    },
    async end({ result, model, outcome }) {
      if (reporter && outcome) reporter.finish(outcome, model)
      else if (result.error) {
        // One line per problem, wrapped to a terminal's width, then where it is explained.
        const width = terminal.err.isTTY ? (terminal.err.columns ?? 80) : Infinity
        for (const problem of result.error.problems ?? [result.error.message])
          say(terminal.err, wrapLine(`toolforge-deploy: ${problem}`, width).join('\n'))
        if (result.error.kind === 'usage') say(terminal.err, 'Run toolforge-deploy --help for the options.')
        const explained = model.verdict.nextSteps.find((step) => step.link)
        if (explained && result.error.kind !== 'usage') say(terminal.err, `${explained.text}: ${explained.link}`)
      }
      if (json)
        say(
          terminal.out,
          jsonOf(result, { check: outcome?.check, commits: outcome?.commits, attempts: outcome?.attempts })
        )
      if (options?.dotenv) writeOwnFile(options.dotenv, redact(dotenvOf(result)))
    }
  })
  return result.exitCode
}
