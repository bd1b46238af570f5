import { formatDuration } from '../settings/duration.js'
import type { InputNames } from '../settings/input-error.js'
import type { Settings } from '../settings/settings.js'

/**
 * GitLab's limit for the job against the run's own: a wait that GitLab would cut short, killing the job without a word
 * from this run, is said before it starts. GitLab gives CI_JOB_TIMEOUT in seconds and CI_JOB_STARTED_AT as a time.
 */
export function jobTimeoutWarning(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  names: InputNames,
  now: number
): string | undefined {
  const limitMs = Number(env.CI_JOB_TIMEOUT) * 1000
  if (settings.dryRun || !Number.isFinite(limitMs) || limitMs <= 0) return undefined
  const started = Date.parse(env.CI_JOB_STARTED_AT ?? '')
  const leftMs = limitMs - (Number.isFinite(started) ? Math.max(0, now - started) : 0)
  const checked = settings.wait && settings.check !== 'off'
  const needMs = settings.timeoutMs + (checked ? settings.checkTimeoutMs : 0)
  if (needMs <= leftMs) return undefined
  const parts = `${names.ref('timeout')} ${formatDuration(settings.timeoutMs)}${
    checked ? ` and ${names.ref('check-timeout')} ${formatDuration(settings.checkTimeoutMs)}` : ''
  }`
  return (
    `GitLab stops this job in ${formatDuration(Math.max(0, leftMs))} ` +
    `(its job timeout is ${formatDuration(limitMs)}), ` +
    `before this run's wait may end (${parts}): it would be killed mid-wait, and say nothing. Give the job a longer ` +
    `timeout (the component's job-timeout input, or timeout: in the job), or a shorter ${names.ref('timeout')}.`
  )
}
