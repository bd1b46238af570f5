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
  /** After `successful`, whether and where to check that the tool serves. */
  check: 'auto' | 'off' | URL
  checkTimeoutMs: number
  /** The tool's web address (TOOLFORGE_TOOL_URL, by default https://<tool>.toolforge.org/). */
  toolAddress: string
  /** Only ask Toolforge whether it accepts the token for the tool; deploy nothing. */
  dryRun: boolean
  /** The components config file given, checked as Toolforge would check it. With dry-run and no token, all that is checked. */
  config: CheckedConfig | undefined
}

export interface CheckedConfig extends ConfigFileCheck {
  file: string
}
