import { writeFileSync } from 'node:fs'
import type { DeployObserver, DeployOutcome } from '../engine/deploy.js'
import { createNarrator } from '../report/narrator.js'
import { toolUrl } from '../report/outcome.js'
import type { Redactor } from '../engine/redact.js'
import { deploymentJson, oneLine } from '../report/sanitize.js'
import type { Settings } from '../settings/settings.js'
import { renderText, summaryModel } from '../report/summary.js'
import { statusOf } from '../engine/status.js'

export interface Terminal {
  out: NodeJS.WritableStream & { isTTY?: boolean }
  err: NodeJS.WritableStream & { isTTY?: boolean }
}

export interface CliReportOptions {
  json: boolean
  dotenv: string | undefined
  verbose: boolean
}

/** Exit codes of the command, as its help documents them. */
export const EXIT = { success: 0, deploymentFailed: 1, usage: 2, stoppedWaiting: 3, refused: 4 } as const

export function exitCode(outcome: DeployOutcome): number {
  switch (outcome.end) {
    case 'successful':
    case 'no-wait':
      return EXIT.success
    case 'failed':
      return EXIT.deploymentFailed
    case 'timeout':
    case 'interrupted':
      return EXIT.stoppedWaiting
    case 'error':
      return EXIT.refused
  }
}

const COLOURS: Array<[RegExp, string]> = [
  [/\b(successful)\b/g, '32'],
  [/\b(failed|timed_out|cancelled|error)\b/g, '31'],
  [/\b(running|pending|cancelling|warning)\b/g, '33']
]

/** Colours only on a terminal, and never when NO_COLOR is set (no-color.org). */
function colourer(stream: Terminal['out'], env: NodeJS.ProcessEnv): (text: string) => string {
  if (!stream.isTTY || (env.NO_COLOR ?? '') !== '') return (text) => text
  return (text) => COLOURS.reduce((line, [pattern, code]) => line.replace(pattern, `\x1b[${code}m$1\x1b[0m`), text)
}

/** GitLab's collapsible log sections. */
function section(edge: 'start' | 'end', header = ''): string {
  const stamp = Math.floor(Date.now() / 1000)
  return `\x1b[0Ksection_${edge}:${stamp}:toolforge_deploy\r\x1b[0K${header}`
}

/** The terminal face of a deployment: the same narration, then summary, JSON, dotenv. */
export function createCliReporter(
  settings: Settings,
  terminal: Terminal,
  env: NodeJS.ProcessEnv,
  options: CliReportOptions,
  redact: Redactor,
  now: () => number
): DeployObserver & { finish(outcome: DeployOutcome): number } {
  const log = options.json ? terminal.err : terminal.out
  const colour = colourer(log, env)
  const gitlab = env.GITLAB_CI === 'true'
  let sectionOpen = false
  const write = (stream: Terminal['out'], text: string) => stream.write(`${redact(text)}\n`)
  const line = (text: string) => {
    if (gitlab && !sectionOpen && /^\[/.test(text)) {
      sectionOpen = true
      write(log, section('start', `Waiting for the Toolforge deployment of ${settings.tool}`))
    }
    write(log, colour(text))
  }
  const narrator = createNarrator(
    settings,
    {
      line,
      debug: (text) => options.verbose && write(terminal.err, text),
      warning: (text) => write(terminal.err, colour(`warning: ${text}`)),
      notice: (text, title) => write(log, `${title ? `${title}: ` : ''}${text}`)
    },
    now
  )

  return {
    ...narrator,
    finish(outcome) {
      if (sectionOpen) write(log, section('end'))
      const model = summaryModel(outcome, settings)
      write(log, `\n${colour(renderText(model))}`)
      if (model.problem) write(terminal.err, colour(`error: ${oneLine(model.problem)}`))
      const deployment = outcome.deployment
      if (options.json) write(terminal.out, deployment ? deploymentJson(deployment) : 'null')
      if (options.dotenv) {
        // One safe token per value: a dotenv line cannot hold anything else.
        const safe = (text: string) => text.replace(/[^A-Za-z0-9_.:/-]/g, '_')
        const lines = [
          `DEPLOY_ID=${safe(deployment?.deploy_id ?? settings.deployId ?? '')}`,
          `DEPLOY_STATUS=${safe(deployment ? statusOf(deployment) : '')}`,
          `DEPLOY_URL=${toolUrl(settings.tool)}`
        ]
        writeFileSync(options.dotenv, redact(`${lines.join('\n')}\n`))
      }
      return exitCode(outcome)
    }
  }
}
