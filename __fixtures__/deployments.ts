import type { DeployOutcome } from '../src/engine/deploy.js'
import type { Deployment } from '../src/engine/toolforge-types.js'

type Builds = Record<string, string>
type Runs = Record<string, string>

/** A deployment in the given states, with the fields the real server sends once it has set them. */
export function deployment(
  status: string,
  builds: Builds = {},
  runs: Runs = {},
  extra: Partial<Deployment> = {}
): Deployment {
  return {
    deploy_id: '20250703-075322-5zxh2hip26',
    creation_time: '20250703-075322',
    description: '',
    builds: Object.fromEntries(
      Object.entries(builds).map(([name, build_status]) => [name, { build_id: `${name}-build`, build_status }])
    ),
    runs: Object.fromEntries(Object.entries(runs).map(([name, run_status]) => [name, { run_status }])),
    status,
    force_build: false,
    force_run: false,
    ...extra
  }
}

/** How a run ended, 95 s after it began, with `deployment` as the last one seen. */
export function deployOutcome(
  end: DeployOutcome['end'],
  last: Deployment | undefined,
  extra: Partial<DeployOutcome> = {}
): DeployOutcome {
  return {
    end,
    deployment: last,
    error: undefined,
    mayHaveStarted: false,
    startedAt: 0,
    endedAt: 95_000,
    queuedMs: 0,
    ...extra
  }
}
