import { afterAll, beforeAll } from '@jest/globals'
import {
  loggedRequests,
  standInsLocation,
  startRealApi,
  type ComponentSpec,
  type LoggedRequest,
  type RealApi
} from '../../dev/real-api/real-api.js'

/** Which upstream version the real-server tests run against: serve.py's --upstream (`next`), else its main branch. */
export const UPSTREAM = process.env.TOOLFORGE_UPSTREAM || 'current'
/** Whether that server queues deployments instead of answering 409 (upstream's queue_deployments). */
export const QUEUES = UPSTREAM === 'next' || UPSTREAM === 'queue'

export const WEB: ComponentSpec = { run: { command: 'gunicorn app:app', port: 8000 } }
export const WORKER: ComponentSpec = { run: { command: 'python worker.py' } }
export const CRON: ComponentSpec = {
  type: 'scheduled',
  reuseFrom: 'web',
  run: { command: 'python cleanup.py', schedule: '@hourly' }
}

/**
 * One real Components API server for the test file, started before its tests and stopped
 * after them. A server that cannot start fails every test with the reason.
 */
export function useRealApi(where: 'any' | 'stand-ins' = 'any'): () => RealApi {
  let api: RealApi | undefined
  let failure: Error | undefined
  beforeAll(async () => {
    try {
      api = await startRealApi(process.env, where === 'stand-ins' ? standInsLocation() : undefined)
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error))
    }
  }, 60_000)
  afterAll(() => api?.stop())
  return () => {
    if (!api) throw failure ?? new Error('the real Components API was not started')
    return api
  }
}

let counter = 0
/** A tool name no other test of the file uses (the server keeps its state between tests). */
export function toolName(label: string): string {
  counter += 1
  return `${label}-${process.pid % 1000}-${counter}`
}

/** The deployment as a maintainer reads it (`toolforge components deployment show`). */
export async function readAsMaintainer(api: RealApi, tool: string, deployId: string): Promise<Record<string, unknown>> {
  const answer = await api.asMaintainer(tool, 'GET', `/deployment/${deployId}`)
  if (answer.status !== 200) throw new Error(`reading ${deployId} failed: HTTP ${answer.status}`)
  return answer.body.data as Record<string, unknown>
}

/** The requests made with the token (not as the maintainer who seeded the tool), from the server's log. */
export function tokenRequests(api: RealApi, tool: string): LoggedRequest[] {
  return loggedRequests(api, tool).filter((entry) => entry.x_toolforge_tool === null)
}

/** Starts a deployment as a CI job would with the token, outside the action. */
export async function startDeployment(api: RealApi, tool: string, token: string): Promise<string> {
  const response = await fetch(`${api.apiUrl}/components/v1/tool/${tool}/deployment?token=${token}`, { method: 'POST' })
  const body = (await response.json()) as { data?: { deploy_id?: string } }
  if (response.status !== 200 || !body.data?.deploy_id)
    throw new Error(`creating a deployment of ${tool} failed: HTTP ${response.status}`)
  return body.data.deploy_id
}
