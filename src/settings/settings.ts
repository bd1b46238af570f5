import type { ConfigFileCheck } from './config-file.js'

/** Everything the run needs, parsed and checked once. */
export interface Settings {
  tool: string
  token: string
  apiUrl: string
  forceBuild: boolean
  forceRun: boolean
  description: string
  wait: boolean
  timeoutMs: number
  pollIntervalMs: number
  /** Follow this deployment instead of creating one. */
  deployId: string | undefined
  onConflict: 'wait' | 'fail'
  /** More deployments to create after one that failed for Toolforge's own reason. */
  retries: number
  /** After `successful`, whether and where to check that the tool serves. */
  check: 'auto' | 'off' | URL
  checkTimeoutMs: number
  /** Text the serving check's answer must contain before the tool counts as serving. */
  checkExpect: string | undefined
  /** The commit the deployment should build, to fail (given) or warn (the workflow's own) when it builds another. */
  expectCommit: ExpectedCommit | undefined
  /** The tool's web address (TOOLFORGE_TOOL_URL, by default https://<tool>.toolforge.org/). */
  toolAddress: string
  /** Only ask Toolforge whether it accepts the token for the tool; deploy nothing. */
  dryRun: boolean
  /**
   * The components config file given, checked as Toolforge would check it. With dry-run and no token, all that is
   * checked.
   */
  config: CheckedConfig | undefined
  /** The CI run deploying (GitHub Actions run, GitLab pipeline), when there is one: the summary links it. */
  runUrl?: string
  /** Said once before anything is sent: the token is not shaped like a deploy token. */
  tokenWarning?: string
}

export interface CheckedConfig extends ConfigFileCheck {
  file: string
}

/**
 * `input`: expect-commit was given; another commit fails the run. `workflow`: the commit
 * the CI run is for; another commit is a warning, and only for components built from the
 * workflow's own repository.
 */
export type ExpectedCommit = { sha: string; source: 'input' } | { sha: string; source: 'workflow'; repository: string }
