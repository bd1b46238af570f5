import type { ScenarioName } from '../../dev/simulator/scenarios.js'
import { ToolforgeSimulator, type SimulatorOptions } from '../../dev/simulator/server.js'

/** Shaped as Toolforge's deploy tokens are: a UUID. */
export const TOKEN = '3f9a1c2e-77b4-4d0e-9a6b-5c1d2e3f4a5b'

export interface Started {
  sim: ToolforgeSimulator
  url: string
  close(): Promise<void>
}

/** A simulator on a free loopback port, accepting TOKEN for every tool. */
export async function startSimulator(options: Partial<SimulatorOptions> = {}): Promise<Started> {
  const sim = new ToolforgeSimulator({ token: TOKEN, ...options })
  const url = await sim.listen(0)
  return { sim, url, close: () => sim.close() }
}

/** A test body with its own simulator, closed when the test ends (tests run concurrently). */
export function withSimulator(scenario: ScenarioName, body: (started: Started) => Promise<void>): () => Promise<void> {
  return async () => {
    const started = await startSimulator({ scenario })
    try {
      await body(started)
    } finally {
      await started.close()
    }
  }
}

/** One component, `web`, built in about a second and publishing /version: for tests about what follows a build. */
const QUICK = {
  components: [
    {
      name: 'web',
      build: { kind: 'source' as const, queueMs: 200, buildMs: 500 },
      publish: { healthCheck: '/version' }
    }
  ]
}

/** A test body with its own simulator, where `mytool` deploys QUICK. */
export function withQuickTool(body: (started: Started) => Promise<void>): () => Promise<void> {
  return withSimulator('single', async (started) => {
    started.sim.api.setScenario('mytool', QUICK)
    await body(started)
  })
}

/** The action's inputs for `mytool` on this simulator, with the test token. */
export const toolInputs = (url: string, extra: Record<string, string> = {}) => ({
  tool: 'mytool',
  token: TOKEN,
  'api-url': url,
  ...extra
})
