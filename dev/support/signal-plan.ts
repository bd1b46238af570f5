import type { ChildProcess } from 'node:child_process'

/** When a test cancels the run it started: the moment that matters, as the test can see it. */
export interface SignalPlan {
  name: NodeJS.Signals
  /** Once the run's output holds this text or matches this pattern, or once this promise resolves. */
  when: string | RegExp | Promise<unknown>
  /** Sent again this many ms later: a second Ctrl-C, or a runner's follow-up signal. */
  againAfterMs?: number
}

export interface Signaller {
  /** All the output so far, each time more arrives. */
  output(text: string): void
  /** When the (first) signal was sent, in ms after `started`. */
  sentAtMs(): number | undefined
}

/** Sends `plan`'s signal to `child` at its moment (no plan: never). */
export function signaller(child: ChildProcess, plan: SignalPlan | undefined, started: number): Signaller {
  let sentAt: number | undefined
  const send = () => {
    if (sentAt !== undefined || !plan || child.exitCode !== null) return
    sentAt = Date.now() - started
    child.kill(plan.name)
    if (plan.againAfterMs !== undefined)
      setTimeout(() => child.exitCode === null && child.kill(plan.name), plan.againAfterMs)
  }
  if (plan?.when instanceof Promise) void plan.when.then(send)
  return {
    output(text) {
      const when = plan?.when
      if (typeof when === 'string' ? text.includes(when) : when instanceof RegExp && when.test(text)) send()
    },
    sentAtMs: () => sentAt
  }
}
