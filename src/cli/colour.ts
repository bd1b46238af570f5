import { stateWord } from '../report/words.js'
import type { Terminal } from './terminal.js'

/**
 * The command's colours, from statuses only: the verdict's mark, the status a progress
 * line starts with, a component's ✓ ✗ ⊘, its build and run states, a failed timeline bar,
 * and the prefix of a warning or an error. Words in Toolforge's own sentences ("failed"
 * in a reason) stay as they are.
 */
const GREEN = '32'
const RED = '31'
const YELLOW = '33'

const OF_STATE: Record<string, string> = {
  successful: GREEN,
  failed: RED,
  timed_out: RED,
  cancelled: RED,
  cancelling: YELLOW,
  running: YELLOW,
  pending: YELLOW,
  // The words the report uses: a build waiting for a slot, a state timed out.
  [stateWord('build', 'unknown')]: YELLOW,
  [stateWord('deployment', 'timed_out')]: RED
}
const OF_MARK: Record<string, string> = { '✔': GREEN, '✓': GREEN, '✖': RED, '✗': RED, '⊘': RED }
const OF_PREFIX: Record<string, string> = { warning: YELLOW, error: RED }

const paint = (text: string, code: string | undefined) => (code ? `\x1b[${code}m${text}\x1b[0m` : text)

/** The states a component line of the stacked view names: "web: build failed 4s · run skipped". */
const STATES = Object.keys(OF_STATE).join('|')
const COMPONENT_STATES = new RegExp(`(: build |· run )(${STATES})(?= |,|$)`, 'g')

function paintLine(line: string): string {
  const verdict = /^[✔✖]/u.exec(line)
  if (verdict) return paint(verdict[0], OF_MARK[verdict[0]]) + line.slice(verdict[0].length)
  const prefix = /^(warning|error):/.exec(line)
  if (prefix) return paint(prefix[0], OF_PREFIX[prefix[1]!]) + line.slice(prefix[0].length)
  // A progress line: "[2m41s] running · builds: web ✓ 2m41s, worker ✗".
  const progress = /^(\[[^\]]*\] (?:still )?)([a-z_]+)/.exec(line)
  if (progress) {
    const rest = line
      .slice(progress[0].length)
      .replace(/ ([✓✗⊘])(?= |,|$)/gu, (_m, mark: string) => ` ${paint(mark, OF_MARK[mark])}`)
    return `${progress[1]}${paint(progress[2]!, OF_STATE[progress[2]!])}${rest}`
  }
  // A timeline bar that ended failed ends with ✗.
  if (/[━▮]✗/u.test(line)) return line.replace(/✗/u, paint('✗', RED))
  return line.replace(COMPONENT_STATES, (_m, lead: string, state: string) => `${lead}${paint(state, OF_STATE[state])}`)
}

/** Colours only on a terminal, and never when NO_COLOR is set (no-color.org). */
export function colourer(stream: Terminal['out'], env: NodeJS.ProcessEnv): (text: string) => string {
  if (!stream.isTTY || (env.NO_COLOR ?? '') !== '') return (text) => text
  return (text) => text.split('\n').map(paintLine).join('\n')
}
