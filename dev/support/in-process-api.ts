import { ApiError } from '../../src/engine/api-error.js'
import type { ApiResponse, ToolforgeApi } from '../../src/engine/toolforge-client.js'
import { parseDeployment, parseMessages } from '../../src/engine/toolforge-types.js'
import type { SimulatedApi } from '../simulator/api.js'

/**
 * The simulated API without HTTP, for runs in virtual time: the same requests and
 * envelopes as over the network, answered at once.
 */
export function inProcessApi(api: SimulatedApi, tool: string, token: string): ToolforgeApi {
  const base = `/components/v1/tool/${tool}/deployment`
  const call = (method: string, url: string, body: string): Promise<ApiResponse> => {
    const response = api.handle({ method, url, headers: {}, body })
    const parsed = JSON.parse(response.body) as { data?: unknown }
    const messages = parseMessages(parsed)
    const deployment = parseDeployment(parsed.data)
    if (response.status !== 200 || !deployment) {
      return Promise.reject(
        new ApiError('http', `HTTP ${response.status}`, {
          status: response.status,
          toolforgeErrors: messages.error,
          reachedServer: true
        })
      )
    }
    return Promise.resolve({ deployment, messages, status: response.status, retryAfterMs: undefined })
  }
  return {
    createDeployment: (request) =>
      call('POST', `${base}?token=${token}`, JSON.stringify({ description: request.description })),
    getDeployment: (deployId) => call('GET', `${base}/${deployId}?token=${token}`, ''),
    dispose: () => {}
  }
}
