/**
 * `npm run real-api:setup`: fetches upstream's Components API at the commit the project
 * follows, and installs its Python dependencies into a virtual environment of its own,
 * both under .cache/real-api/, where the real-server tests then find it
 * (prerequisites.js). For a machine without the server beside the project.
 *
 * Needs git, Python 3.11 or later with its venv module, and network access to upstream's
 * repository and to Python's package index. COMPONENTS_API_REPOSITORY names a mirror.
 * Any step that fails ends the script with one line naming the step and its reason; a
 * cache that was there before is left as it was.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { realApiCache } from '../support/prerequisites.js'

/** Upstream's public repository, and the commit whose OpenAPI document the project follows. */
export const UPSTREAM = {
  repository: 'https://gitlab.wikimedia.org/repos/cloud/toolforge/components-api.git',
  commit: 'dac7467ae1415aa4ce1cc5337bfc649ccdade956'
}

/** Every package of a poetry.lock at its locked version, as pip's constraints (`name==version`). */
export function constraintsFromPoetryLock(lock: string): string[] {
  const pins: string[] = []
  for (const block of lock.split(/^\[\[package\]\]$/m).slice(1)) {
    const name = /^name = "([^"]+)"$/m.exec(block)?.[1]
    const version = /^version = "([^"]+)"$/m.exec(block)?.[1]
    if (name && version) pins.push(`${name}==${version}`)
  }
  return pins
}

/** pip's install of the checkout, held to the constraints file. */
export function pipInstallArgs(checkout: string, constraints: string): string[] {
  return ['-m', 'pip', 'install', '--quiet', '--ignore-requires-python', '--constraint', constraints, checkout]
}

function writeConstraints(checkout: string, constraints: string): string | undefined {
  const lock = join(checkout, 'poetry.lock')
  const pins = existsSync(lock) ? constraintsFromPoetryLock(readFileSync(lock, 'utf8')) : []
  if (pins.length === 0) return `pinning its Python dependencies failed: ${lock} names no package`
  writeFileSync(constraints, `${pins.join('\n')}\n`)
  return undefined
}

/** Does the work in a new folder beside `cache`, moved into place only once it all worked. */
export function setUpRealApi(options: {
  repository: string
  commit: string
  cache: string
  python: string
  say: (line: string) => void
}): { failure?: string } {
  const { repository, commit, cache, say } = options
  const work = `${cache}.new`
  const checkout = join(work, 'components-api')
  const venv = join(work, 'venv')
  const constraints = join(work, 'constraints.txt')
  const step = (what: string, command: string, args: string[], cwd = work): string | undefined => {
    const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    if (result.status === 0) return undefined
    const reason =
      result.error?.message ??
      `${result.stderr}${result.stdout}`.split('\n').find((line) => line.trim()) ??
      `exit code ${result.status}`
    return `${what} failed: ${reason.trim()}`
  }
  rmSync(work, { recursive: true, force: true })
  mkdirSync(checkout, { recursive: true })
  const steps: Array<[announce: string | undefined, what: string, command: string, args: string[], cwd?: string]> = [
    [
      `Fetching the Components API at ${commit.slice(0, 7)} from ${repository}`,
      'git init',
      'git',
      ['init', '--quiet', checkout]
    ],
    [
      undefined,
      `fetching ${commit.slice(0, 7)} from ${repository}`,
      'git',
      ['fetch', '--quiet', '--depth', '1', repository, commit],
      checkout
    ],
    [undefined, 'checking it out', 'git', ['checkout', '--quiet', 'FETCH_HEAD'], checkout],
    [
      'Installing its Python dependencies into a virtual environment',
      'creating the virtual environment (Python 3.11 or later, with venv)',
      options.python,
      ['-m', 'venv', venv]
    ],
    // Upstream asks for Python 3.13; the server runs on 3.11 as well (the copy beside the project does).
    [
      undefined,
      'installing its Python dependencies',
      join(venv, 'bin', 'python'),
      pipInstallArgs(checkout, constraints)
    ]
  ]
  let failure: string | undefined
  for (const [announce, what, command, args, cwd] of steps) {
    if (announce) say(announce)
    failure = step(what, command, args, cwd)
    // Every version pip may pick is the one upstream's lock file names at the pinned commit.
    if (!failure && what === 'checking it out') failure = writeConstraints(checkout, constraints)
    if (failure) break
  }
  if (failure) {
    rmSync(work, { recursive: true, force: true })
    return { failure }
  }
  writeFileSync(join(work, 'READY'), `${commit}\n`)
  rmSync(cache, { recursive: true, force: true })
  renameSync(work, cache)
  return {}
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cache = realApiCache()
  const { failure } = setUpRealApi({
    repository: process.env.COMPONENTS_API_REPOSITORY ?? UPSTREAM.repository,
    commit: UPSTREAM.commit,
    cache,
    python: process.env.PYTHON ?? 'python3',
    say: (line) => console.log(line)
  })
  if (failure) {
    process.stderr.write(`npm run real-api:setup: ${failure}\n`)
    process.exit(1)
  }
  console.log(`Ready in ${cache}: npm test now runs the real-server tests against it`)
}
