/**
 * Stands in for `undici` in the bundle (see tsconfig `paths`). http-client imports it
 * only for `getAgentDispatcher`, a proxy dispatcher for fetch that this action never
 * calls; bundling the real one costs 440 KB and about 70 ms of start-up on every run.
 * Proxies still work: http-client's own requests go through its `tunnel` agents.
 */
export class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled with toolforge/deploy-action')
  }
}
