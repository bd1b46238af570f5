import { describe, expect, test } from '@jest/globals'
import { resolveCommits, sourcesOf } from '../../src/engine/deployed-commit.js'
import { compareCommit } from '../../src/engine/expected-commit.js'
import { RefsUnavailable, type RefsReader } from '../../src/engine/git-http.js'
import { repositoryKey, repositoryLabel } from '../../src/settings/repository.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const APP = 'https://gitlab.wikimedia.org/toolforge-repos/app'
const LIB = 'https://github.com/me/worker.git'
const config = {
  config_version: 'v1beta1',
  components: {
    web: { build: { repository: APP, ref: 'main' } },
    cron: { build: { reuse_from: 'web' } },
    worker: { build: { repository: LIB, ref: '' } },
    beta: { build: { repository: `${APP}.git/`, ref: 'beta' } },
    image: { build: { image: 'docker-registry.tools.wmflabs.org/x:latest' } }
  }
}

describe('sourcesOf', () => {
  test('every component built from a repository, reuse_from taking its source’s, by name', () => {
    expect(sourcesOf(config)).toEqual([
      { component: 'beta', repository: `${APP}.git/`, ref: 'beta' },
      { component: 'cron', repository: APP, ref: 'main', reuseFrom: 'web' },
      { component: 'web', repository: APP, ref: 'main' },
      { component: 'worker', repository: LIB, ref: '' }
    ])
    expect(sourcesOf(undefined)).toEqual([])
    expect(sourcesOf({ components: { x: { build: { reuse_from: 'missing' } } } })).toEqual([])
  })
})

describe('resolveCommits', () => {
  test('one read per repository, however it is written; an empty ref is HEAD; the one commit when all share it', async () => {
    const reads: Array<[string, boolean]> = []
    const reader: RefsReader = (repository, { wantHead }) => {
      reads.push([repository, wantHead])
      return Promise.resolve({
        refs: [
          { name: 'HEAD', sha: A },
          { name: 'refs/heads/beta', sha: A },
          { name: 'refs/heads/main', sha: A }
        ],
        truncated: false
      })
    }
    const report = await resolveCommits(config, reader, new AbortController().signal)
    expect(reads.sort()).toEqual([
      [LIB, true],
      [`${APP}.git/`, false]
    ])
    expect(report.commit).toBe(A)
    expect(report.components.map((c) => [c.component, c.commit])).toEqual([
      ['beta', A],
      ['cron', A],
      ['web', A],
      ['worker', A]
    ])
  })

  test('different commits: no one commit; an unknown ref or an unreadable repository: the reason, never a throw', async () => {
    const reader: RefsReader = (repository) =>
      repository === LIB
        ? Promise.reject(new RefsUnavailable('HTTP 401: the repository is private or needs credentials'))
        : Promise.resolve({
            refs: [
              { name: 'refs/heads/main', sha: A },
              { name: 'refs/heads/beta', sha: B }
            ],
            truncated: false
          })
    const report = await resolveCommits(config, reader, new AbortController().signal)
    expect(report.commit).toBeUndefined()
    expect(report.components.find((c) => c.component === 'worker')).toMatchObject({
      reason: 'HTTP 401: the repository is private or needs credentials'
    })
    expect(report.components.find((c) => c.component === 'beta')!.commit).toBe(B)
    const unknownRef = await resolveCommits(
      { components: { web: { build: { repository: APP, ref: 'gone' } } } },
      reader,
      new AbortController().signal
    )
    expect(unknownRef.components[0]).toMatchObject({ reason: 'the repository has no ref gone' })
    const cut = await resolveCommits(
      { components: { web: { build: { repository: APP, ref: 'gone' } } } },
      () => Promise.resolve({ refs: [{ name: 'refs/heads/a', sha: A }], truncated: true }),
      new AbortController().signal
    )
    expect(cut.components[0]).toMatchObject({ reason: 'the ref was not among the first 1 refs listed' })
  })
})

describe('compareCommit', () => {
  const report = {
    components: [
      { component: 'web', repository: APP, ref: 'main', commit: A },
      { component: 'worker', repository: LIB, ref: 'main', commit: B }
    ]
  }
  test('expect-commit: every component must build it', () => {
    expect(compareCommit(report, { sha: A, source: 'input' })).toMatchObject({
      result: 'differs',
      components: [{ component: 'worker' }]
    })
    expect(
      compareCommit({ components: [report.components[0]!], commit: A }, { sha: A, source: 'input' })
    ).toMatchObject({ result: 'matches' })
    expect(
      compareCommit(
        { components: [{ ...report.components[0]!, commit: undefined, reason: 'HTTP 404' }] },
        { sha: A, source: 'input' }
      )
    ).toMatchObject({ result: 'unknown' })
    expect(compareCommit({ components: [] }, { sha: A, source: 'input' })).toMatchObject({
      result: 'unknown',
      components: []
    })
  })
  test('the workflow’s commit: only components from the workflow’s repository count', () => {
    const workflow = (repository: string, sha = A) => ({ sha, source: 'workflow' as const, repository })
    expect(compareCommit(report, workflow('https://GITLAB.wikimedia.org/toolforge-repos/App.git'))).toMatchObject({
      result: 'matches'
    })
    expect(compareCommit(report, workflow('https://github.com/me/worker'))).toMatchObject({
      result: 'differs',
      components: [{ component: 'worker' }]
    })
    expect(compareCommit(report, workflow('https://github.com/someone/else'))).toBeUndefined()
    expect(compareCommit(report, undefined)).toBeUndefined()
  })
})

describe('repository addresses', () => {
  test('one key however the address is written; shown without scheme and .git', () => {
    const key = repositoryKey('https://gitlab.wikimedia.org/toolforge-repos/app')
    for (const same of [
      'http://GitLab.Wikimedia.org/toolforge-repos/App.git',
      'https://gitlab.wikimedia.org/toolforge-repos/app/',
      'https://gitlab.wikimedia.org/toolforge-repos/app.git/'
    ]) {
      expect(repositoryKey(same)).toBe(key)
    }
    expect(repositoryKey('https://gitlab.wikimedia.org/toolforge-repos/app2')).not.toBe(key)
    expect(repositoryKey('not a url')).toBeUndefined()
    expect(repositoryLabel('https://gitlab.wikimedia.org/toolforge-repos/App.git')).toBe(
      'gitlab.wikimedia.org/toolforge-repos/App'
    )
  })
})

describe('resolveCommits against a hostile config', () => {
  const refs = { refs: [{ name: 'refs/heads/main', sha: A }], truncated: false }

  test('a ref longer than 256 characters is not looked up: its commit is not known, and why', async () => {
    const long = `${'*a'.repeat(200)}!`
    const asked: string[] = []
    const reader: RefsReader = (repository) => (asked.push(repository), Promise.resolve(refs))
    const report = await resolveCommits(
      { components: { web: { build: { repository: APP, ref: long } } } },
      reader,
      new AbortController().signal
    )
    expect(asked).toEqual([])
    expect(report.components).toEqual([
      {
        component: 'web',
        repository: APP,
        ref: long,
        reason: 'the ref is longer than 256 characters, so it was not looked up'
      }
    ])
  })

  test('server text bound for the log is one line, and an address loses its user and password', () => {
    const sources = sourcesOf({
      components: {
        'we\rb': { build: { repository: 'https://al:pw@host/x%0D.git', ref: 'main\r\n::error::x\u2028y\u0085z' } }
      }
    })
    expect(sources).toEqual([
      { component: 'we ⏎ b', repository: 'https://host/x%0D.git', ref: 'main ⏎ ::error::x ⏎ y ⏎ z' }
    ])
    expect(repositoryLabel('https://host/x%0D%0A.git')).toBe('host/x%0D%0A')
    expect(repositoryLabel('https://host/x%E0.git')).toBe('host/x%E0')
  })

  test('at most 4 repositories are read at once, 20 in all, within one shared budget', async () => {
    let inFlight = 0
    let most = 0
    const budgets: number[] = []
    const reader: RefsReader = async (_repository, { timeoutMs }) => {
      budgets.push(timeoutMs)
      inFlight += 1
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight -= 1
      return refs
    }
    const many = {
      components: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [
          `c${String(i).padStart(2, '0')}`,
          { build: { repository: `https://host/r${i}.git`, ref: 'main' } }
        ])
      )
    }
    const report = await resolveCommits(many, reader, new AbortController().signal, 3_000)
    expect([most, budgets.length]).toEqual([4, 20])
    expect(Math.max(...budgets)).toBeLessThanOrEqual(3_000)
    expect(report.notAsked).toBe(30)
    expect(report.components.filter((c) => c.commit === A)).toHaveLength(20)
    expect(
      report.components.filter((c) => c.reason === 'not asked: at most 20 repositories are read for one deployment')
    ).toHaveLength(30)
  })
})
