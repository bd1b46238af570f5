import { systemClock } from './clock.js'
import { deploy, type DeployObserver, type DeployOutcome } from './deploy.js'
import type { Settings } from '../settings/settings.js'
import { gitRefsReader } from './git-http.js'
import { createRedactor } from './redact.js'
import { abortOnSignals } from './signals.js'
import { httpProbe } from './serving-check.js'
import { createToolforgeClient } from './toolforge-client.js'

/** Deploys for real: the HTTP clients, the system clock, and cancellation on SIGINT/SIGTERM. */
export async function deployLive(
  settings: Settings,
  observer: DeployObserver,
  userAgent: string
): Promise<DeployOutcome> {
  const api = createToolforgeClient({ apiUrl: settings.apiUrl, tool: settings.tool, token: settings.token, userAgent })
  const cancel = new AbortController()
  const removeHandlers = abortOnSignals(cancel)
  try {
    const redact = createRedactor([settings.token])
    return await deploy(settings, {
      api,
      clock: systemClock,
      signal: cancel.signal,
      observer,
      probe: httpProbe(userAgent),
      refs: gitRefsReader(userAgent, redact),
      redact
    })
  } finally {
    removeHandlers()
    api.dispose()
  }
}
