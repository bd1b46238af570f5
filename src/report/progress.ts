import { isComponentDone, statusOf } from '../engine/status.js'
import { NO_ID_YET, type Deployment } from '../engine/toolforge-types.js'
import { formatDuration } from '../settings/duration.js'
import { NOT_STARTED, stateWord, statusWord } from './words.js'
import { oneLine } from './sanitize.js'
import type { TimelineModel } from './timeline.js'

export const HEARTBEAT_MS = 60_000
/** A progress line never runs longer than this (or the terminal's width), however many components change at once. */
export const MAX_LINE = 160

type Stage = 'build' | 'run'
interface Item {
  stage: Stage
  name: string
  state: string
}

const SYMBOLS: Record<string, string> = { successful: '✓', failed: '✗', cancelled: '⊘' }

/** A build the builds map does not list yet, or lists with no id, has not been started. */
function buildState(deployment: Deployment, name: string): string {
  const build = deployment.builds[name]
  return !build || build.build_id === NO_ID_YET ? NOT_STARTED : build.build_status
}

function items(deployment: Deployment): Item[] {
  const names = [...new Set([...Object.keys(deployment.builds), ...Object.keys(deployment.runs)])].sort()
  return [
    ...names.map((name) => ({ stage: 'build' as const, name, state: buildState(deployment, name) })),
    ...names
      .filter((name) => deployment.runs[name])
      .map((name) => ({ stage: 'run' as const, name, state: deployment.runs[name]!.run_status }))
  ]
}

/** What a cut line leaves out, builds and runs counted apart: "3 more builds and 1 more run". */
function untold(items: Item[]): string {
  const count = (stage: Stage) => {
    const n = items.filter((item) => item.stage === stage).length
    return n === 0 ? [] : [`${n} more ${stage}${n > 1 ? 's' : ''}`]
  }
  return [...count('build'), ...count('run')].join(' and ')
}

/**
 * The log of a deployment's progress: a line when the deployment or a component changes
 * state, naming only what changed, grouped (`builds: web ✓ 2m41s, worker running`);
 * otherwise a heartbeat at most once a minute. No line is longer than MAX_LINE.
 */
export class ProgressLog {
  private status: string | undefined
  private states = new Map<string, string>()
  private lastLineAt: number

  constructor(
    private readonly startedAt: number,
    private readonly maxLine = MAX_LINE
  ) {
    this.lastLineAt = startedAt
  }

  private stamp(now: number): string {
    this.lastLineAt = now
    return `[${formatDuration(now - this.startedAt)}]`
  }

  private describe(changed: Item[], timeline: TimelineModel | undefined): string {
    const word = (item: Item) => {
      const span = timeline?.components[item.name]?.[item.stage]
      const took = span && isComponentDone(item.stage, item.state) ? span.endMs - span.startMs : 0
      const time = took > 0 ? ` ${formatDuration(took)}` : ''
      const state = SYMBOLS[item.state] ?? stateWord(item.stage, item.state)
      return `${oneLine(item.name, 60)} ${oneLine(state, 40)}${time}`
    }
    return (['build', 'run'] as const)
      .map((stage) => {
        const group = changed.filter((item) => item.stage === stage)
        return group.length > 0 ? ` · ${stage}s: ${group.map(word).join(', ')}` : ''
      })
      .join('')
  }

  private bounded(head: string, changed: Item[], timeline: TimelineModel | undefined): string {
    let shown = changed.length
    let line = `${head}${this.describe(changed, timeline)}`
    while ([...line].length > this.maxLine && shown > 1) {
      shown -= 1
      line = `${head}${this.describe(changed.slice(0, shown), timeline)} … and ${untold(changed.slice(shown))}`
    }
    return line
  }

  /** The line to print for this observation, or undefined when nothing changed. */
  update(deployment: Deployment, now: number, timeline?: TimelineModel): string | undefined {
    const next = items(deployment)
    const first = this.status === undefined
    const changed = next.filter((item) =>
      // At first, only what has begun: every deployment starts with nothing started.
      first
        ? item.state !== NOT_STARTED && (item.stage === 'build' || item.state !== 'pending')
        : this.states.get(`${item.stage}:${item.name}`) !== item.state
    )
    const status = statusOf(deployment)
    const statusChanged = status !== this.status
    this.status = status
    this.states = new Map(next.map((item) => [`${item.stage}:${item.name}`, item.state]))
    if (!statusChanged && changed.length === 0) return undefined
    return this.bounded(`${this.stamp(now)} ${oneLine(statusWord(deployment), 40)}`, changed, timeline)
  }

  /** A reminder that the action is still waiting, when the log has been quiet for a minute. */
  heartbeat(now: number): string | undefined {
    if (this.status === undefined || now - this.lastLineAt < HEARTBEAT_MS) return undefined
    const open = [...this.states]
      .map(([key, state]) => ({
        stage: key.slice(0, key.indexOf(':')) as Stage,
        name: key.slice(key.indexOf(':') + 1),
        state
      }))
      .filter((item) => !isComponentDone(item.stage, item.state))
    return this.bounded(`${this.stamp(now)} still ${oneLine(this.status, 40)}`, open, undefined)
  }
}
