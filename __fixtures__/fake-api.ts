import type { ApiError } from '../src/engine/api-error.js'
import type { ApiResponse, CallOptions, ToolforgeApi } from '../src/engine/toolforge-client.js'
import type { Deployment } from '../src/engine/toolforge-types.js'

/** Far more requests than any scripted deployment needs: a loop past this would never end. */
const MAX_CALLS = 10_000

export type Step = Deployment | ApiError | { deployment: Deployment; retryAfterMs: number }

/** Answers status checks and creations from scripted steps, recording when each was asked. */
export class ScriptedApi implements ToolforgeApi {
  readonly getTimes: number[] = []
  readonly postTimes: number[] = []
  /** What each request was given to end it early, in order of asking. */
  readonly callOptions: Array<CallOptions | undefined> = []
  constructor(
    private readonly now: () => number,
    private readonly gets: Step[],
    private readonly posts: Step[] = []
  ) {}

  private answer(steps: Step[]): Promise<ApiResponse> {
    if (this.getTimes.length + this.postTimes.length > MAX_CALLS)
      throw new Error(`more than ${MAX_CALLS} requests: a loop that never ends`)
    const step = steps.length > 1 ? steps.shift()! : steps[0]!
    if (step instanceof Error) return Promise.reject(step)
    const [deployment, retryAfterMs] = 'retryAfterMs' in step ? [step.deployment, step.retryAfterMs] : [step, undefined]
    return Promise.resolve({ deployment, messages: { info: [], warning: [], error: [] }, status: 200, retryAfterMs })
  }

  getDeployment(_deployId: string, options?: CallOptions): Promise<ApiResponse> {
    this.getTimes.push(this.now())
    this.callOptions.push(options)
    return this.answer(this.gets)
  }

  createDeployment(_request: unknown, options?: CallOptions): Promise<ApiResponse> {
    this.postTimes.push(this.now())
    this.callOptions.push(options)
    return this.answer(this.posts)
  }

  dispose(): void {}
}

/** Answers status checks with the state the deployment is in at the clock's time: `states` are [fromMs, deployment], in order. */
export class TimedApi implements ToolforgeApi {
  readonly getTimes: number[] = []
  constructor(
    private readonly now: () => number,
    private readonly states: Array<[number, Deployment]>
  ) {}

  getDeployment(): Promise<ApiResponse> {
    if (this.getTimes.length > MAX_CALLS) throw new Error(`more than ${MAX_CALLS} requests: a loop that never ends`)
    const now = this.now()
    this.getTimes.push(now)
    const deployment = this.states.filter(([from]) => from <= now).at(-1)![1]
    return Promise.resolve({
      deployment,
      messages: { info: [], warning: [], error: [] },
      status: 200,
      retryAfterMs: undefined
    })
  }

  createDeployment(): Promise<ApiResponse> {
    return Promise.reject(new Error('not scripted'))
  }

  dispose(): void {}
}
