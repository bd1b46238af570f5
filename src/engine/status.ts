import type { Deployment, KnownDeploymentState } from './toolforge-types.js'

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
export function isFinal(status: string): boolean {
  return FINAL.has(status)
}

/** A build or run that will not change any more. */
export function isComponentDone(stage: 'build' | 'run', state: string): boolean {
  return (stage === 'build' ? FINAL_BUILD : FINAL_RUN).has(state)
}

export function isKnownStatus(status: string): boolean {
  return KNOWN.has(status)
}

export function isSuccess(status: string): boolean {
  return status === 'successful'
}

/** Where a deployment stands, as far as it tells how soon its final status can come. */
export type Phase = 'final' | 'queued' | 'building' | 'running-components' | 'finishing'

export function phaseOf(deployment: Deployment): Phase {
  if (isFinal(deployment.status)) return 'final'
  if (deployment.status === 'cancelling') return 'finishing'
  const builds = Object.values(deployment.builds)
  const runs = Object.values(deployment.runs)
  if (deployment.status === 'pending' || (builds.length > 0 && builds.every((b) => b.build_status === 'pending'))) {
    return 'queued'
  }
  if (!builds.every((b) => FINAL_BUILD.has(b.build_status))) return 'building'
  const aBuildFailed = builds.some((b) => b.build_status === 'failed')
  if (aBuildFailed || runs.every((r) => FINAL_RUN.has(r.run_status))) return 'finishing'
  return 'running-components'
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
    .map(([component, b]) => ({ stage: 'build' as const, component, reason: b.build_long_status }))
  const runs = Object.entries(deployment.runs)
    .sort(byName)
    .filter(([, r]) => r.run_status === 'failed')
    .map(([component, r]) => ({ stage: 'run' as const, component, reason: r.run_long_status }))
  return [...builds, ...runs]
}
