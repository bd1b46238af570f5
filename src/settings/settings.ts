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
}
