/**
 * Detection lag and status requests of the committed bundle, in real time, against the
 * real Components API: for each run, an independent observer reads the deployment every
 * 50 ms; the lag is the time from the observer's first read that shows a final status to
 * the action's first such read, both as the server logged them.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { loggedRequests as logged, type LoggedRequest, type RealApi } from '../real-api/real-api.js'
import { runAction } from '../support/run-bundle.js'

export interface RealCase {
  name: string
  /** Seconds a build waits in the build queue (shown `unknown`), then runs. */
  queueS: number
  buildS: number
  /** Build times spread evenly over [buildS, buildS + spreadS), so that the ends fall at every point of the server's tick and of the client's pace. */
  spreadS: number
  components: number
}

export interface RealSample {
  lagMs: number
  /** Status checks (GET) the action made. */
  requests: number
  /** Status checks made while every unfinished build was waiting for a slot. */
  queuedRequests: number
}

const OBSERVER = 'bench-observer'
const FINAL = /"status":\s*"(successful|failed|timed_out|cancelled)"/

/**
 * One read, sent again when the server closed a kept-alive connection just as it was
 * reused (its idle timeout racing the next request): a property of the test client, not
 * of what is measured.
 */
export async function readAgain(url: string, headers: Record<string, string> = {}): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(url, { headers })).text()
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
}

async function observe(api: RealApi, tool: string, token: string, stop: () => boolean): Promise<void> {
  let id: string | undefined
  while (!stop()) {
    const created = logged(api, tool).find(
      (r) => r.method === 'POST' && r.status === 200 && r.path.endsWith('/deployment')
    )
    if (created) id = (JSON.parse(created.response_body) as { data: { deploy_id: string } }).data.deploy_id
    if (
      id &&
      FINAL.test(
        await readAgain(`${api.apiUrl}/components/v1/tool/${tool}/deployment/${id}?token=${token}`, {
          'user-agent': OBSERVER
        })
      )
    )
      return
    await sleep(50)
  }
}

let serial = 0

/** One deployment by the bundle, watched by the observer. */
export async function measureOnce(api: RealApi, c: RealCase, extraBuildS = 0): Promise<RealSample> {
  serial += 1
  const tool = `bench-${process.pid % 1000}-${serial}`
  const token = await api.seedTool(
    tool,
    Object.fromEntries(
      Array.from({ length: c.components }, (_, i) => [
        i === 0 ? 'web' : `worker${i}`,
        { run: { command: `python run${i}.py` } }
      ])
    )
  )
  await api.setToolTimings(tool, { build_pending_s: c.queueS, build_running_s: c.buildS + extraBuildS })
  let doneAt = 0
  // The observer goes on a moment after the action ends: the action may see the final status first.
  const observer = observe(api, tool, token, () => doneAt > 0 && Date.now() - doneAt > 5_000)
  const run = await runAction({ inputs: { tool, token, 'api-url': api.apiUrl, check: 'off' }, killAfterMs: 600_000 })
  doneAt = Date.now()
  await observer
  // The server logs an exchange just after answering it.
  await sleep(200)
  if (run.code !== 0) throw new Error(`the bundle failed on ${tool} (exit ${run.code}):\n${run.stdout.slice(-2000)}`)
  const requests = logged(api, tool).filter((r) => r.method === 'GET')
  const mine = requests.filter((r) => r.user_agent !== OBSERVER)
  const firstFinal = (list: LoggedRequest[]) => list.find((r) => FINAL.test(r.response_body))?.t
  const observed = firstFinal(requests.filter((r) => r.user_agent === OBSERVER))
  const seen = firstFinal(mine)
  if (observed === undefined || seen === undefined) throw new Error(`no final status seen for ${tool}`)
  const queued = (r: LoggedRequest) => {
    const builds = Object.values(
      (JSON.parse(r.response_body) as { data?: { builds?: Record<string, { build_status: string }> } }).data?.builds ??
        {}
    )
    return builds.some((b) => b.build_status === 'unknown') && !builds.some((b) => b.build_status === 'running')
  }
  return {
    lagMs: Math.max(0, (seen - observed) * 1000),
    requests: mine.length,
    queuedRequests: mine.filter(queued).length
  }
}

/** `count` runs, `concurrency` at a time. */
export async function measure(api: RealApi, c: RealCase, count: number, concurrency: number): Promise<RealSample[]> {
  const samples: RealSample[] = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      samples.push(await measureOnce(api, c, (i * c.spreadS) / count))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return samples
}
