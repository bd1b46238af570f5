import type { Settings } from '../src/settings/settings.js'

/** A run's settings as the defaults make them for tool `mytool`, with what a test changes. */
export function settingsFixture(overrides: Partial<Settings> = {}): Settings {
  return {
    tool: 'mytool',
    token: 't',
    apiUrl: 'https://api.svc.toolforge.org',
    forceBuild: false,
    forceRun: false,
    description: '',
    wait: true,
    timeoutMs: 30 * 60_000,
    pollIntervalMs: 10_000,
    deployId: undefined,
    onConflict: 'wait',
    check: 'off',
    checkTimeoutMs: 180_000,
    checkExpect: undefined,
    expectCommit: undefined,
    toolAddress: 'https://mytool.toolforge.org/',
    dryRun: false,
    config: undefined,
    ...overrides
  }
}
