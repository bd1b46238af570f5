import { NO_ID_YET, type Deployment } from '../engine/toolforge-types.js'
import type { TimelineModel } from './timeline.js'
import { NOT_STARTED } from './words.js'

/**
 * A deployment's components as people read them: Toolforge's placeholders (`no-id-yet`,
 * `no-image-yet`, `no-build-needed`) turned into what they mean, durations from what the
 * action observed, image references shortened, and Toolforge's texts cut into plain text
 * and code (its backticks) with its `[info](…)` notes spelled out.
 */

/** Text in pieces: plain, or code (a command to copy). */
export type RichText = Array<{ code: boolean; text: string }>

export interface ComponentRow {
  name: string
  build: {
    state: string
    /** Observed time building (and waiting for a slot, when seen). */
    ms?: number
    /** A real build id: what `toolforge build logs` takes. */
    id?: string
    /** Why nothing was built. */
    reused?: string
  }
  image?: { full: string; short: string }
  run: { state: string; ms?: number }
  notes: RichText[]
}

/** Components named one by one in a line that is about all of them; past that, counted. */
const NAMED_COMPONENTS = 4

/** "web, cron", or "all 14 components" when the line is about every one of many: 14 names would hide what it says. */
export function componentNames(names: string[], total: number): string {
  return names.length === total && total > NAMED_COMPONENTS ? `all ${total} components` : names.join(', ')
}

const PLACEHOLDER_IDS = new Set([NO_ID_YET, 'no-build-needed'])
const NO_IMAGE = 'no-image-yet'
/**
 * Toolforge's texts that only restate what the row (and its build id) shows, or say what
 * every run that went well does: the jobs service's routine "created or updated job web",
 * with its info notes. Its warnings, and "already up to date" (nothing restarted), stay.
 */
const SAID_BY_THE_ROW = [
  /^(created or updated|restarted) job [^,]*(, \[info\]\([^)]*\))?$/,
  /^Not started yet$/,
  /^Reusing existing build$/,
  /^Component re-uses build from /,
  /^Skipped due to previous failure$/,
  /^You can see the logs with `toolforge build logs [^`]*`$/
]

/** Splits on Toolforge's backticks: `toolforge build logs x` becomes code. */
export function richText(text: string): RichText {
  const cleaned = text.replace(/, \[(info|warning|error)\]\(([^)]*)\)/g, '; $1: $2')
  return cleaned
    .split('`')
    .map((part, i) => ({ code: i % 2 === 1, text: part }))
    .filter((part) => part.text !== '')
}

/** `registry/path/web:latest@sha256:abcdef…` becomes `web:latest@sha256:abcdef123456…`. */
export function shortImage(reference: string): string {
  const last = reference.slice(reference.lastIndexOf('/') + 1)
  return last.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, '@sha256:$1…')
}

/** Toolforge's words for a build it skipped because an image was already there. */
function reuseSource(text: string | undefined): string | undefined {
  const from = /^Component re-uses build from (.+)$/.exec(text ?? '')?.[1]
  if (from) return `reused from ${from}`
  return text === 'Reusing existing build' ? 'reused an earlier build' : undefined
}

const span = (value: { startMs: number; endMs: number } | undefined) =>
  value ? value.endMs - value.startMs : undefined

export function componentRows(deployment: Deployment | undefined, timeline: TimelineModel | undefined): ComponentRow[] {
  if (!deployment) return []
  const names = [...new Set([...Object.keys(deployment.builds), ...Object.keys(deployment.runs)])].sort()
  return names.map((name) => {
    const build = deployment.builds[name]
    const run = deployment.runs[name]
    const times = timeline?.components[name]
    const reused = reuseSource(build?.build_long_status)
    const buildMs = span(times?.build)
    const notes = [build?.build_long_status, run?.run_long_status]
      .filter(
        (text): text is string =>
          text !== undefined && text !== '' && !SAID_BY_THE_ROW.some((pattern) => pattern.test(text))
      )
      .map(richText)
    const row: ComponentRow = {
      name,
      build: {
        // A component missing from the builds map has not been started yet.
        state: build?.build_status ?? NOT_STARTED,
        ...(buildMs !== undefined ? { ms: buildMs } : {}),
        ...(build && !PLACEHOLDER_IDS.has(build.build_id) ? { id: build.build_id } : {}),
        ...(reused ? { reused } : {})
      },
      run: {
        state: run?.run_status ?? 'pending',
        ...(span(times?.run) !== undefined ? { ms: span(times?.run)! } : {})
      },
      notes
    }
    if (build?.build_image && build.build_image !== NO_IMAGE)
      row.image = { full: build.build_image, short: shortImage(build.build_image) }
    return row
  })
}
