import { NO_ID_YET, type Deployment, type KnownDeploymentState } from './toolforge-types.js'

const FINAL: ReadonlySet<string> = new Set<KnownDeploymentState>(['successful', 'failed', 'timed_out', 'cancelled'])
const KNOWN: ReadonlySet<string> = new Set<KnownDeploymentState>([
  'pending',
  'running',
  'failed',
  'timed_out',
  'successful',
  'cancelling',
  'cancelled'
])
const FINAL_BUILD: ReadonlySet<string> = new Set(['failed', 'successful', 'skipped', 'cancelled'])
const FINAL_RUN: ReadonlySet<string> = new Set(['failed', 'successful', 'skipped'])

/** Only these four end a deployment; anything else, known or not, is still under way. */
export function isFinal(status: string | undefined): boolean {
  return status !== undefined && FINAL.has(status)
}

/** The status, or the documented default before the server's task has set one. */
export function statusOf(deployment: Deployment): string {
  return deployment.status ?? 'pending'
}

/** A build or run that will not change any more. */
export function isComponentDone(stage: 'build' | 'run', state: string): boolean {
  return (stage === 'build' ? FINAL_BUILD : FINAL_RUN).has(state)
}

/** A build that left an image to run: built now, or skipped because one was there. */
export function isBuilt(state: string): boolean {
  return state === 'successful' || state === 'skipped'
}

export function isKnownStatus(status: string): boolean {
  return KNOWN.has(status)
}

export function isSuccess(status: string | undefined): boolean {
  return status === 'successful'
}

/** Where a deployment stands, as far as it tells how soon its final status can come. */
export type Phase = 'final' | 'queued' | 'building' | 'failing' | 'running-components' | 'finishing'

/** Every component's build, a component the builds map does not list yet counting as not started. */
function buildStates(deployment: Deployment): string[] {
  const names = new Set([...Object.keys(deployment.builds), ...Object.keys(deployment.runs)])
  return [...names].map((name) => deployment.builds[name]?.build_status ?? 'pending')
}

export function phaseOf(deployment: Deployment): Phase {
  const status = statusOf(deployment)
  if (isFinal(status)) return 'final'
  if (status === 'cancelling') return 'finishing'
  const builds = buildStates(deployment)
  const runs = Object.values(deployment.runs)
  if (status === 'pending') return 'queued'
  if (builds.includes('running')) return 'building'
  // Started builds show `pending`, then `unknown` while they wait for a build slot.
  if (!builds.every((b) => FINAL_BUILD.has(b))) return 'queued'
  // The task reports a failed build after the pause that follows its last pass.
  if (builds.includes('failed')) return 'failing'
  if (runs.every((r) => FINAL_RUN.has(r.run_status))) return 'finishing'
  return 'running-components'
}

/**
 * A build is under way (started, not done): the final status needs a pass of the task to
 * see it end and then its 2 s pause, so it is at least that pause away. Only another
 * component's build failing to start would end the deployment sooner.
 */
export function aBuildUnderWay(deployment: Deployment): boolean {
  return Object.values(deployment.builds).some(
    (build) => build.build_id !== NO_ID_YET && !FINAL_BUILD.has(build.build_status)
  )
}

/**
 * Where the task's start stands, before its first pass over the builds: `none` when not one
 * build has started yet, `started` when some have (the first pass follows as soon as the
 * last one has), undefined once a pass has looked at them (or nothing was to be built).
 */
export function buildsStarting(deployment: Deployment): 'none' | 'started' | undefined {
  if (isFinal(deployment.status) || !buildStates(deployment).every((s) => s === 'pending' || s === 'skipped'))
    return undefined
  const started = Object.values(deployment.builds).some((b) => b.build_id !== NO_ID_YET && b.build_status === 'pending')
  if (started) return 'started'
  return Object.values(deployment.builds).some((b) => b.build_status === 'skipped') ? undefined : 'none'
}

/** The task is running the components: one run is done, another still to come. */
export function runsUnderWay(deployment: Deployment): boolean {
  const runs = Object.values(deployment.runs).map((run) => run.run_status)
  return runs.some((state) => FINAL_RUN.has(state)) && runs.some((state) => !FINAL_RUN.has(state))
}

/**
 * Past the server's first pass, a deployment still pending with no build started waits
 * behind another deployment of the tool: the next Components API queues deployments
 * (up to 20 active, one running) instead of answering 409. Its task starts a deployment
 * within milliseconds when nothing is ahead of it, and otherwise looks again every 5 s.
 */
export const SERVER_QUEUE_SIGN_MS = 2_000

/** Pending, and not one build started: what a deployment queued on the server looks like. */
export function looksQueuedOnServer(deployment: Deployment): boolean {
  return (
    statusOf(deployment) === 'pending' &&
    Object.values(deployment.builds).every((build) => build.build_status === 'pending' && build.build_id === NO_ID_YET)
  )
}

export interface FailedComponent {
  stage: 'build' | 'run'
  component: string
  reason: string
}

/** The builds and runs that Toolforge reports as failed, builds first, in name order. */
export function failedComponents(deployment: Deployment): FailedComponent[] {
  const byName = (a: [string, unknown], b: [string, unknown]) => a[0].localeCompare(b[0])
  const builds = Object.entries(deployment.builds)
    .sort(byName)
    .filter(([, b]) => b.build_status === 'failed')
    .map(([component, b]) => ({ stage: 'build' as const, component, reason: b.build_long_status ?? '' }))
  const runs = Object.entries(deployment.runs)
    .sort(byName)
    .filter(([, r]) => r.run_status === 'failed')
    .map(([component, r]) => ({ stage: 'run' as const, component, reason: r.run_long_status ?? '' }))
  return [...builds, ...runs]
}
