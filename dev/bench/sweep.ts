/**
 * The sweep: every point on each stand-in set the machine has, each poller's runs at once.
 * `shared`: the server shipped beside the project, with its own stand-ins (fake_backends.py).
 * `project`: the same upstream code behind the project's stand-ins (dev/real-api/stand-ins.ts).
 */
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { ROOT } from '../support/project-root.js'
import { startRealApi, standInsLocation } from '../real-api/real-api.js'
import { locateRealApi, type RealApiLocation } from '../support/prerequisites.js'
import type { Point } from './points.js'
import { measurePoint, type PointSamples } from './real-timing.js'

export type StandIns = 'shared' | 'project'

/** The whole sweep's figures, from which the plot is drawn (`npm run bench:plot`). */
export const RESULTS = join(ROOT, 'dev', 'bench', 'results.json')
export const PLOT = join(ROOT, 'docs', 'bench-lag.svg')

export interface PointResult {
  standIns: StandIns
  point: Point
  samples: PointSamples
  seconds: number
}

/** Where each stand-in set can run here, or why it cannot. */
export function standInSets(
  env: NodeJS.ProcessEnv = process.env
): Array<{ standIns: StandIns; where: RealApiLocation }> {
  const shipped = locateRealApi(env)
  return [
    {
      standIns: 'shared',
      where: shipped.kind === 'shipped' ? shipped : { kind: 'none', reason: 'no ../shared/toolforge/real-api here' }
    },
    { standIns: 'project', where: standInsLocation(env) }
  ]
}

export async function sweep(
  standIns: StandIns,
  where: RealApiLocation,
  points: Point[],
  onPoint: (result: PointResult) => void
): Promise<PointResult[]> {
  const api = await startRealApi(process.env, where)
  const results: PointResult[] = []
  try {
    for (const point of points) {
      const started = Date.now()
      const samples = await measurePoint(api, point, availableParallelism())
      const result = { standIns, point, samples, seconds: (Date.now() - started) / 1000 }
      results.push(result)
      onPoint(result)
    }
  } finally {
    await api.stop()
  }
  return results
}
