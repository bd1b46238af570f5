import { formatDuration } from '../settings/duration.js'
import { oneLine } from './sanitize.js'
import { isComponentDone, statusOf } from '../engine/status.js'
import type { Deployment } from '../engine/toolforge-types.js'

export const HEARTBEAT_MS = 60_000

type States = Map<string, string>

function componentStates(deployment: Deployment): States {
  const states: States = new Map()
  for (const name of Object.keys(deployment.builds).sort()) states.set(`build ${name}`, deployment.builds[name]!.build_status)
  for (const name of Object.keys(deployment.runs).sort()) states.set(`run ${name}`, deployment.runs[name]!.run_status)
  return states
}

function describe(entries: Array<[string, string]>): string {
  return entries.map(([what, state]) => ` · ${oneLine(what, 200)}: ${oneLine(state, 100)}`).join('')
}

/**
 * The log of a deployment's progress: a line when the deployment or a component changes
 * state, naming only what changed; otherwise a heartbeat at most once a minute.
 */
export class ProgressLog {
  private status: string | undefined
  private states: States = new Map()
  private lastLineAt: number

  constructor(private readonly startedAt: number) {
    this.lastLineAt = startedAt
  }

  private stamp(now: number): string {
    this.lastLineAt = now
    return `[${formatDuration(now - this.startedAt)}]`
  }

  /** The line to print for this observation, or undefined when nothing changed. */
  update(deployment: Deployment, now: number): string | undefined {
    const next = componentStates(deployment)
    const first = this.status === undefined
    const changed = [...next].filter(([what, state]) =>
      first ? !what.startsWith('run ') || state !== 'pending' : this.states.get(what) !== state
    )
    const status = statusOf(deployment)
    const statusChanged = status !== this.status
    this.status = status
    this.states = next
    if (!statusChanged && changed.length === 0) return undefined
    return `${this.stamp(now)} ${oneLine(status, 100)}${describe(changed)}`
  }

  /** A reminder that the action is still waiting, when the log has been quiet for a minute. */
  heartbeat(now: number): string | undefined {
    if (this.status === undefined || now - this.lastLineAt < HEARTBEAT_MS) return undefined
    const open = [...this.states].filter(([what, state]) => !isComponentDone(what.startsWith('build ') ? 'build' : 'run', state))
    return `${this.stamp(now)} still ${oneLine(this.status, 100)}${describe(open)}`
  }
}
