/**
 * The points the benchmark measures: a deployment of two components on the real server,
 * at a build length and a delay of the stand-in build and jobs services (production's
 * services answer over the network, so each pass of the server's task takes 2 s plus its
 * calls to them; these delays stand in for that).
 */
export interface Point {
  id: string
  buildS: number
  latencyMs: number
  /** Each call's delay varies uniformly by up to this much either way. */
  jitterMs: number
  components: number
  /** Created while another deployment of the tool runs: it waits behind that one. */
  behind?: boolean
  /** Every core kept busy by another process meanwhile. */
  busy?: boolean
}

function point(buildS: number, latencyMs: number, jittered = false, extra: Partial<Point> = {}): Point {
  const jitterMs = jittered ? Math.round(latencyMs / 3) : 0
  const tags = [extra.behind ? 'behind' : '', extra.busy ? 'busy' : ''].filter(Boolean)
  return {
    id: [`${buildS}s`, `${latencyMs}ms`, ...(jitterMs ? [`j${jitterMs}`] : []), ...tags].join('-'),
    buildS,
    latencyMs,
    jitterMs,
    components: 2,
    ...extra
  }
}

const LATENCY_STEP_MS = 25
const latencies = Array.from({ length: 300 / LATENCY_STEP_MS + 1 }, (_, i) => i * LATENCY_STEP_MS)

/** The whole range: about half an hour, both stand-in sets at once. */
export const FULL: Point[] = [
  ...latencies.flatMap((ms) => (ms === 0 ? [point(20, 0)] : [point(20, ms), point(20, ms, true)])),
  ...[5, 60, 180].flatMap((s) => [point(s, 0), point(s, 150)]),
  point(20, 0, false, { behind: true }),
  point(20, 150, true, { behind: true }),
  point(20, 0, false, { busy: true }),
  point(20, 150, true, { busy: true })
]

/** The everyday subset: a few minutes on each. */
export const QUICK: Point[] = [
  '20s-0ms',
  '20s-150ms',
  '20s-300ms-j100',
  '5s-0ms',
  '60s-150ms',
  '20s-0ms-behind',
  '20s-0ms-busy'
].map((id) => FULL.find((p) => p.id === id)!)
