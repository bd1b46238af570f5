/**
 * The real Toolforge Components API server, run on 127.0.0.1 for tests and benchmarks:
 * wherever prerequisites.js finds it: the upstream server shipped beside this project
 * (`serve.py`, see its README), or a checkout of upstream behind the project's own
 * stand-ins (see dev/real-api/README.md). Tools are seeded through the real API with the
 * gateway's `x-toolforge-tool` header, as a maintainer's `toolforge` command would.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { startStandIns, type ServiceFault } from './stand-ins.js'
import { locateRealApi, type RealApiLocation } from '../support/prerequisites.js'
import { gitEnv } from '../support/git-env.js'

export interface ComponentSpec {
  type?: 'continuous' | 'scheduled'
  /** A git ref of the sample repository (`broken` fails to build; `v1.0` is an annotated tag), or another component to reuse. */
  ref?: string
  /** Another repository than the sample one. */
  repository?: string
  reuseFrom?: string
  run?: Record<string, unknown>
  /** Build environment variables (the next Components API's `build.envvars`; values may be secrets). */
  envvars?: Record<string, string>
}

/** Timing and failure knobs of the stand-in build and jobs services. */
export interface BackendKnobs {
  build_pending_s?: number
  build_running_s?: number
  fail_refs?: string[]
  max_parallel_builds?: number
  /** Delay before every builds and jobs call, varied uniformly by up to the jitter either way. */
  latency_ms?: number
  latency_jitter_ms?: number
  tool_overrides?: Record<string, { build_pending_s?: number; build_running_s?: number }>
  /** Calls of the services that go wrong (the project's stand-ins only: see standInsLocation). */
  faults?: ServiceFault[]
}

/** One exchange as the server's gateway logged it (serve.py's --log; token values replaced). */
export interface LoggedRequest {
  /** Seconds since the epoch, when the request came in. */
  t: number
  /** Milliseconds the gateway took to answer it. */
  ms: number
  method: string
  path: string
  x_toolforge_tool: string | null
  user_agent: string | null
  status: number
  response_body: string
}

/** The logged exchanges about `tool`. */
export function loggedRequests(api: Pick<RealApi, 'requestLog'>, tool: string): LoggedRequest[] {
  return loggedRequestsOf(api, [tool]).get(tool)!
}

/** The logged exchanges about each of `tools`, from one pass over the log. */
export function loggedRequestsOf(api: Pick<RealApi, 'requestLog'>, tools: string[]): Map<string, LoggedRequest[]> {
  const byTool = new Map(tools.map((tool): [string, LoggedRequest[]] => [tool, []]))
  for (const line of api.requestLog.split('\n')) {
    const mine = byTool.get(/\/tool\/([^/?]+)\//.exec(line)?.[1] ?? '')
    mine?.push(JSON.parse(line) as LoggedRequest)
  }
  return byTool
}

export interface MaintainerAnswer {
  status: number
  body: { data?: unknown; messages?: Record<string, string[]> }
}

export interface RealApi {
  /** Which upstream version runs: `current` (its main branch), or one of serve.py's --upstream names (`next`). */
  upstream: string
  /** The gateway root, as given to the action's `api-url`. */
  apiUrl: string
  backendsUrl: string
  /** The sample repository, as a tool config's `build.repository`. */
  repoUrl: string
  /** The commit a ref of the sample repository names (an annotated tag's commit, not the tag). */
  commitOf(ref: string): string
  /** The builds the build service started for `tool`, with the commit each resolved its ref to. */
  builds(
    tool: string
  ): Promise<Array<{ build_id: string; resolved_ref: string; parameters: { ref: string; image_name: string } }>>
  /** Every request the server answered, one JSON object per line (token values replaced). */
  requestLog: string
  /** Stores a config for `tool` and creates its deploy token; returns the token. */
  seedTool(tool: string, components: Record<string, ComponentSpec>): Promise<string>
  /** Stores a config only (no token). */
  setConfig(tool: string, components: Record<string, ComponentSpec>): Promise<void>
  createToken(tool: string): Promise<string>
  configure(knobs: BackendKnobs): Promise<void>
  /** Build timings for one tool, kept beside those of other tools. */
  setToolTimings(tool: string, timings: { build_pending_s?: number; build_running_s?: number }): Promise<void>
  /** A call with the gateway's authentication header, which a deploy token cannot make. */
  asMaintainer(tool: string, method: string, path: string, body?: unknown): Promise<MaintainerAnswer>
  stop(): Promise<void>
}

export class RealApiUnavailable extends Error {
  override name = 'RealApiUnavailable'
}

function makeSampleRepository(gitRoot: string, work: string): void {
  const src = join(work, 'src')
  const git = (args: string[], cwd = src) =>
    execFileSync('git', args, {
      cwd,
      stdio: 'pipe',
      env: gitEnv()
    })
  execFileSync('git', ['init', '-q', '-b', 'main', src], { stdio: 'pipe' })
  writeFileSync(join(src, 'Procfile'), 'web: gunicorn app:app\n')
  git(['add', '.'])
  git(['commit', '-qm', 'app'])
  git(['branch', 'broken'])
  git(['tag', '-a', '-m', 'release', 'v1.0'])
  git(['clone', '-q', '--bare', src, join(gitRoot, 'sample-app.git')], work)
  git(['update-server-info'], join(gitRoot, 'sample-app.git'))
}

/** Waits for `READY api=... backends=...` on the child's stdout. */
function waitForReady(
  child: ChildProcess,
  what: string,
  timeoutMs: number
): Promise<{ api: string; backends: string }> {
  return new Promise((resolvePromise, reject) => {
    let output = ''
    let settled = false
    const timer = setTimeout(() => fail(`it printed no READY line within ${timeoutMs / 1000}s`), timeoutMs)
    function fail(reason: string) {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new RealApiUnavailable(`${what} did not start: ${reason}.\nIts output:\n${output.trim() || '(none)'}`))
    }
    const take = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /READY api=(\S+) backends=(\S+)/.exec(output)
      if (match && !settled) {
        settled = true
        clearTimeout(timer)
        resolvePromise({ api: match[1]!, backends: match[2]! })
      }
    }
    child.stdout!.on('data', take)
    child.stderr!.on('data', take)
    child.once('error', (error) => fail(error.message))
    child.once('exit', (code, signal) => fail(`it exited (${signal ?? `code ${code}`})`))
  })
}

async function waitForHealth(apiUrl: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    try {
      const response = await fetch(`${apiUrl}/components/v1/healthz`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > until)
      throw new RealApiUnavailable(`the real Components API at ${apiUrl} never answered its healthz`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function componentConfig(spec: ComponentSpec, repoUrl: string): Record<string, unknown> {
  const type = spec.type ?? 'continuous'
  const build = spec.reuseFrom
    ? { reuse_from: spec.reuseFrom }
    : {
        repository: spec.repository ?? repoUrl,
        ref: spec.ref ?? 'main',
        ...(spec.envvars ? { envvars: spec.envvars } : {})
      }
  const run =
    spec.run ??
    (type === 'scheduled' ? { command: 'python cleanup.py', schedule: '@hourly' } : { command: 'python worker.py' })
  return { component_type: type, build, run }
}

/** The server shipped beside the project: `serve.py` with its own stand-ins. */
async function startShipped(dir: string, python: string, gitRoot: string, log: string) {
  const serve = join(dir, 'serve.py')
  const child = spawn(python, [serve, '--git-root', gitRoot, '--port', '0', '--log', log], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }
  })
  const ready = await waitForReady(child, `the real Components API (${serve})`, 30_000)
  return {
    apiUrl: ready.api,
    backendsUrl: ready.backends,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/**
 * Where to run upstream's code behind the project's own stand-ins, whose knobs include
 * faults: the checkout that would be used anyway, or the code of the server shipped
 * beside the project (its vendored libraries on the path), with the current upstream.
 */
export function standInsLocation(env: NodeJS.ProcessEnv = process.env): RealApiLocation {
  const where = locateRealApi(env)
  if (where.kind !== 'shipped') return where
  return {
    kind: 'checkout',
    src: join(where.dir, 'vendor', 'components-api'),
    python: where.python,
    pythonPath: [join(where.dir, 'vendor'), join(where.dir, 'stubs')].join(delimiter)
  }
}

/**
 * Starts the real server on a free loopback port. Fails with RealApiUnavailable, saying
 * why, when it cannot: a suite that needs it must never pass without it.
 */
export async function startRealApi(
  env: NodeJS.ProcessEnv = process.env,
  where: RealApiLocation = locateRealApi(env)
): Promise<RealApi> {
  const work = mkdtempSync(join(tmpdir(), 'real-api-'))
  const gitRoot = join(work, 'git')
  const requestLog = join(work, 'requests.jsonl')
  mkdirSync(gitRoot)
  makeSampleRepository(gitRoot, work)

  let server: { apiUrl: string; backendsUrl: string; stop(): Promise<void> }
  try {
    if (where.kind === 'none')
      throw new RealApiUnavailable(`${where.reason}; see CONTRIBUTING.md, "Testing against the real server"`)
    server =
      where.kind === 'checkout'
        ? await startStandIns({
            gitRoot,
            upstream: where.src,
            python: where.python,
            log: requestLog,
            pythonPath: where.pythonPath
          })
        : await startShipped(where.dir, where.python, gitRoot, requestLog)
    await waitForHealth(server.apiUrl, 15_000)
  } catch (error) {
    rmSync(work, { recursive: true, force: true })
    throw error instanceof RealApiUnavailable
      ? error
      : new RealApiUnavailable(error instanceof Error ? error.message : String(error))
  }
  const { apiUrl, backendsUrl } = server
  const repoUrl = `${backendsUrl}/git/sample-app.git`
  const bare = join(gitRoot, 'sample-app.git')

  async function asMaintainer(tool: string, method: string, path: string, body?: unknown): Promise<MaintainerAnswer> {
    const response = await fetch(`${apiUrl}/components/v1/tool/${tool}${path}`, {
      method,
      headers: { 'x-toolforge-tool': tool, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: response.status, body: (await response.json()) as MaintainerAnswer['body'] }
  }

  async function setConfig(tool: string, components: Record<string, ComponentSpec>): Promise<void> {
    const config = {
      config_version: 'v1beta1',
      components: Object.fromEntries(
        Object.entries(components).map(([name, spec]) => [name, componentConfig(spec, repoUrl)])
      )
    }
    const answer = await asMaintainer(tool, 'POST', '/config', config)
    if (answer.status !== 200)
      throw new Error(`storing the config of ${tool} failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`)
  }

  async function createToken(tool: string): Promise<string> {
    const answer = await asMaintainer(tool, 'POST', '/deployment/token')
    const token = (answer.body.data as { token?: string } | undefined)?.token
    if (answer.status !== 200 || !token) throw new Error(`creating the token of ${tool} failed: HTTP ${answer.status}`)
    return token
  }

  // The backends merge knobs shallowly: every tool's timings go together. And one request
  // at a time, each made when it is sent: of two tools seeded at once, the map sent first
  // could arrive last and drop the other's timings, whose builds would then take 4 s.
  const overrides: Record<string, { build_pending_s?: number; build_running_s?: number }> = {}
  let configured: Promise<unknown> = Promise.resolve()
  function configure(knobs: () => BackendKnobs): Promise<void> {
    const sent = configured.then(async () => {
      const response = await fetch(`${backendsUrl}/__fake/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(knobs())
      })
      if (!response.ok) throw new Error(`configuring the backends failed: HTTP ${response.status}`)
      await response.body?.cancel()
    })
    configured = sent.catch(() => undefined)
    return sent
  }

  return {
    upstream: where.kind === 'shipped' ? env.TOOLFORGE_UPSTREAM || 'current' : 'current',
    apiUrl,
    backendsUrl,
    repoUrl,
    commitOf: (ref) => execFileSync('git', ['rev-parse', `${ref}^{commit}`], { cwd: bare, encoding: 'utf8' }).trim(),
    async builds(tool) {
      const response = await fetch(`${backendsUrl}/__fake/state`)
      const state = (await response.json()) as {
        builds: Array<{ build_id: string; resolved_ref: string; parameters: { ref: string; image_name: string } }>
      }
      return state.builds.filter((build) => build.build_id.startsWith(`${tool}-buildpacks-pipelinerun-`))
    },
    get requestLog() {
      return existsSync(requestLog) ? readFileSync(requestLog, 'utf8') : ''
    },
    setConfig,
    createToken,
    async seedTool(tool, components) {
      await setConfig(tool, components)
      return createToken(tool)
    },
    configure: (knobs) => configure(() => knobs),
    setToolTimings(tool, timings) {
      overrides[tool] = timings
      return configure(() => ({ tool_overrides: overrides }))
    },
    asMaintainer,
    async stop() {
      await server.stop()
      rmSync(work, { recursive: true, force: true })
    }
  }
}
