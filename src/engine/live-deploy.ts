import { systemClock } from './clock.js'
import { deploy, type DeployObserver, type DeployOutcome } from './deploy.js'
import type { Settings } from '../settings/settings.js'
import { gitRefsReader } from './git-http.js'
import { createRedactor } from './redact.js'
import { httpProbe } from './serving-check.js'
import { createToolforgeClient } from './toolforge-client.js'

/** Deploys for real: the HTTP clients and the system clock, until done or `signal` cancels it. */
export async function deployLive(
  settings: Settings,
  observer: DeployObserver,
  userAgent: string,
  signal: AbortSignal
): Promise<DeployOutcome> {
  const api = createToolforgeClient({ apiUrl: settings.apiUrl, tool: settings.tool, token: settings.token, userAgent })
  try {
    const redact = createRedactor([settings.token])
    return await deploy(settings, {
      api,
      clock: systemClock,
      signal,
      observer,
      probe: httpProbe(userAgent),
      refs: gitRefsReader(userAgent, redact),
      redact
    })
  } finally {
    api.dispose()
  }
}
