import type { DeployOutcome } from '../engine/deploy.js'
import type { Redactor } from '../engine/redact.js'
import { isBuilt, looksQueuedOnServer, phaseOf } from '../engine/status.js'
import type { Deployment } from '../engine/toolforge-types.js'
import { formatDuration } from '../settings/duration.js'
import { commitNotices, workflowCommitWarning } from '../report/commits.js'
import { createNarrator, type Narrator } from '../report/narrator.js'
import type { Voice } from '../report/outcome.js'
import { PHASE_WORDS, statusWord } from '../report/words.js'
import { closingLine, interruptedLines, type SummaryModel } from '../report/summary.js'
import { renderBrief, renderText, wrapLine } from '../report/text.js'
import type { Settings } from '../settings/settings.js'
import { colourer } from './colour.js'
import { LiveLine } from './live-line.js'
import { inertForTerminal, type Terminal } from './terminal.js'

export interface CliReportOptions {
  json: boolean
  dotenv: string | undefined
  verbose: boolean
}

/** The command's words for its own options, in advice. */
export function cliVoice(settings: Pick<Settings, 'tool' | 'apiUrl'>): Voice {
  return {
    option: (name, value) =>
      value === undefined ? `--${name}` : value === 'true' ? `--${name}` : `--${name} ${value}`,
    follow: (id) =>
      `toolforge-deploy --tool ${settings.tool} --deploy-id ` +
      `${id}${settings.apiUrl === 'https://api.svc.toolforge.org' ? '' : ` --api-url ${settings.apiUrl}`}`
  }
}

/** GitLab's collapsible log sections. */
function section(edge: 'start' | 'end', header = ''): string {
  const stamp = Math.floor(Date.now() / 1000)
  return `\x1b[0Ksection_${edge}:${stamp}:toolforge_deploy\r\x1b[0K${header}`
}

export interface CliReporter extends Narrator {
  /** The deployment's end on the terminal: notices, then the summary (one line for a success). */
  finish(outcome: DeployOutcome, model: SummaryModel): void
}

/** The terminal face of a deployment: the same narration, a live line, then the summary. */
export function createCliReporter(
  settings: Settings,
  terminal: Terminal,
  env: NodeJS.ProcessEnv,
  options: CliReportOptions,
  redact: Redactor,
  now: () => number
): CliReporter {
  const log = options.json ? terminal.err : terminal.out
  const colour = colourer(log, env)
  const gitlab = env.GITLAB_CI === 'true'
  const startedAt = now()
  let sectionOpen = false
  /** Whether the run has printed anything before its summary. */
  let said = false
  let latest: Deployment | undefined
  let queuedOnServer = false
  // On a terminal, what is wider than it is broken between words, not by the terminal mid-word.
  const width = log.isTTY ? (log.columns ?? 80) : undefined
  const fitted = (stream: Terminal['out'], text: string) =>
    stream.isTTY
      ? text
          .split('\n')
          .flatMap((line) => wrapLine(line, stream.columns ?? 80))
          .join('\n')
      : text
  // Made inert and masked first, then fitted and coloured, then masked again: what the
  // fitting and colouring did cannot bring the token back.
  const write = (stream: Terminal['out'], text: string, paint = (t: string) => t) =>
    stream.write(`${redact(paint(fitted(stream, redact(inertForTerminal(text)))))}\n`)
  const live = new LiveLine(log, () => {
    const elapsed = formatDuration(now() - startedAt)
    if (!latest) return `${elapsed} · creating the deployment of ${settings.tool}`
    if (queuedOnServer && looksQueuedOnServer(latest))
      return `${elapsed} · queued on Toolforge behind another deployment of ${settings.tool}`
    const builds = Object.values(latest.builds)
    const total = new Set([...Object.keys(latest.builds), ...Object.keys(latest.runs)]).size
    // A failed build is over, but not built: counted apart, so "2/2 built" is never said of a failure.
    const built = builds.filter((b) => isBuilt(b.build_status)).length
    const failed = builds.filter((b) => b.build_status === 'failed').length
    const ran = Object.values(latest.runs).filter((r) => r.run_status === 'successful').length
    const failures = failed > 0 ? `, ${failed} failed` : ''
    return redact(
      inertForTerminal(
        `${elapsed} · ${PHASE_WORDS[phaseOf(latest)] ?? statusWord(latest)} · ${built}/${total} built${failures}, ` +
          `${ran}/${total} restarted`
      )
    )
  })
  const line = (text: string) => {
    said = true
    if (gitlab && !sectionOpen && /^\[/.test(text)) {
      sectionOpen = true
      log.write(`${section('start', `Waiting for the Toolforge deployment of ${settings.tool}`)}\n`)
    }
    live.around(() => write(log, text, colour))
    live.start()
  }
  const narrator = createNarrator(
    settings,
    {
      line,
      debug: (text) => options.verbose && live.around(() => write(terminal.err, text)),
      warning: (text) => live.around(() => write(terminal.err, `warning: ${text}`, colour)),
      notice: (text, title) => line(`${title ? `${title}: ` : ''}${text}`)
    },
    now,
    { onDeployment: (deployment) => (latest = deployment), lineWidth: width }
  )

  return {
    ...narrator,
    queuedOnServer(deployment) {
      queuedOnServer = true
      narrator.queuedOnServer(deployment)
    },
    finish(outcome, model) {
      live.stop()
      if (sectionOpen) log.write(`${section('end')}\n`)
      if (outcome.commits) for (const notice of commitNotices(outcome.commits)) write(terminal.err, `notice: ${notice}`)
      const otherThanWorkflow = workflowCommitWarning(outcome)
      if (otherThanWorkflow) write(terminal.err, `warning: ${otherThanWorkflow}`, colour)
      // A success ends in one line, as deploy commands do; the tables are for --verbose and for failures.
      const brief = model.verdict.ok && !options.verbose
      // Refused before a deployment existed, the title names the tool: the reason and the next step say the rest.
      const shown = outcome.deployment
        ? model
        : { ...model, facts: model.facts.filter((fact) => fact.label !== 'Tool') }
      // Ctrl-C wants the prompt back: what goes on, and how to follow it.
      const interrupted = model.verdict.kind === 'interrupted' && !options.verbose
      const summary = brief
        ? renderBrief(model, closingLine(model, outcome, settings), width)
        : interrupted
          ? `${interruptedLines(outcome, settings, cliVoice(settings)).join('\n')}\n`
          : `${said ? '\n' : ''}${renderText(shown, width)}`
      // A failure's summary is the error: on stderr, its reason said once there (and nowhere else).
      write(model.verdict.ok ? log : terminal.err, summary.replace(/\n$/, ''), colour)
    }
  }
}
