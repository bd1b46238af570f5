/**
 * Pollers in virtual time, against a world that tells when its deployment's final state
 * became visible: the action's own engine, a fixed-interval loop and the blind floor.
 * The benchmark runs them on the simulator and on recorded traces; the unit tests replay
 * the traces of both stand-in sets through them.
 */
import type { Clock } from '../../src/engine/clock.js'
import { deploy } from '../../src/engine/deploy.js'
import { aBuildUnderWay, isFinal } from '../../src/engine/status.js'
import type { ToolforgeApi } from '../../src/engine/toolforge-client.js'
import type { Settings } from '../../src/settings/settings.js'
import { settingsFixture } from '../fixtures/settings.js'
import { VirtualClock } from '../support/virtual-clock.js'
import { floorPause } from './floor.js'
import { traceApi, traceFinalMs, type Trace } from './traces.js'

export const TOKEN = 'b3e4c5d6-7a8b-4c9d-8e0f-1a2b3c4d5e6f'

const settings: Settings = settingsFixture({
  tool: 'bench',
  token: TOKEN,
  apiUrl: 'http://127.0.0.1',
  description: 'bench',
  timeoutMs: 6 * 3_600_000,
  toolAddress: 'https://bench.toolforge.org/'
})

export interface Sample {
  lagMs: number
  requests: number
}

export interface World {
  clock: VirtualClock
  api: ToolforgeApi
  /** When the final state is first visible, on the clock, once the deployment exists. */
  finalAt: () => number
}

export function traceWorld(trace: Trace): World {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'))
  const start = clock.now()
  let api: ToolforgeApi | undefined
  const lazy: ToolforgeApi = {
    createDeployment: (request, signal) => (api ??= traceApi(trace, clock)).createDeployment(request, signal),
    getDeployment: (id, signal) => api!.getDeployment(id, signal),
    dispose: () => {}
  }
  return { clock, api: lazy, finalAt: () => start + traceFinalMs(trace) }
}

function counted(api: ToolforgeApi, onGet: () => void): ToolforgeApi {
  return { ...api, getDeployment: (id, signal) => (onGet(), api.getDeployment(id, signal)) }
}

/** The action's engine, in virtual time. */
export async function actionSample(world: World): Promise<Sample> {
  let requests = 0
  const outcome = await deploy(settings, {
    api: counted(world.api, () => (requests += 1)),
    clock: world.clock as Clock,
    signal: new AbortController().signal,
    observer: {
      created: () => {},
      polled: () => {},
      queuedOnServer: () => {},
      retrying: () => {},
      creationRetrying: () => {},
      queued: () => {},
      probed: () => {}
    }
  })
  if (outcome.end !== 'successful' && outcome.end !== 'failed') throw new Error(`bench run ended ${outcome.end}`)
  return { lagMs: outcome.endedAt - world.finalAt(), requests }
}

/** A fixed-interval poll (the shell loop people write), in virtual time. */
export async function fixedSample(world: World, intervalMs: number): Promise<Sample> {
  const { deployment } = await world.api.createDeployment({ description: '', forceBuild: false, forceRun: false })
  let requests = 0
  for (;;) {
    await world.clock.sleep(intervalMs)
    requests += 1
    const { deployment: d } = await world.api.getDeployment(deployment.deploy_id)
    if (isFinal(d.status)) return { lagMs: world.clock.now() - world.finalAt(), requests }
  }
}

/** The blind floor (floor.ts), in virtual time. */
export async function floorSample(world: World): Promise<Sample> {
  const { deployment } = await world.api.createDeployment({ description: '', forceBuild: false, forceRun: false })
  const read = async () => (await world.api.getDeployment(deployment.deploy_id)).deployment
  for (let d = await read(); !aBuildUnderWay(d) && !isFinal(d.status); d = await read()) await world.clock.sleep(10)
  for (let requests = 1; ; requests++) {
    const d = await read()
    if (isFinal(d.status)) return { lagMs: world.clock.now() - world.finalAt(), requests }
    await world.clock.sleep(floorPause(d))
  }
}
