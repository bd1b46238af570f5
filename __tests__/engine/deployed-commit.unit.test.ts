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
      return Promise.resolve({ refs: [{ name: 'HEAD', sha: A }, { name: 'refs/heads/beta', sha: A }, { name: 'refs/heads/main', sha: A }], truncated: false })
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
      repository === LIB ? Promise.reject(new RefsUnavailable('HTTP 401: the repository is private or needs credentials')) : Promise.resolve({ refs: [{ name: 'refs/heads/main', sha: A }, { name: 'refs/heads/beta', sha: B }], truncated: false })
    const report = await resolveCommits(config, reader, new AbortController().signal)
    expect(report.commit).toBeUndefined()
    expect(report.components.find((c) => c.component === 'worker')).toMatchObject({ reason: 'HTTP 401: the repository is private or needs credentials' })
    expect(report.components.find((c) => c.component === 'beta')!.commit).toBe(B)
    const unknownRef = await resolveCommits({ components: { web: { build: { repository: APP, ref: 'gone' } } } }, reader, new AbortController().signal)
    expect(unknownRef.components[0]).toMatchObject({ reason: 'the repository has no ref gone' })
    const cut = await resolveCommits({ components: { web: { build: { repository: APP, ref: 'gone' } } } }, () => Promise.resolve({ refs: [{ name: 'refs/heads/a', sha: A }], truncated: true }), new AbortController().signal)
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
    expect(compareCommit(report, { sha: A, source: 'input' })).toMatchObject({ result: 'differs', components: [{ component: 'worker' }] })
    expect(compareCommit({ components: [report.components[0]!], commit: A }, { sha: A, source: 'input' })).toMatchObject({ result: 'matches' })
    expect(compareCommit({ components: [{ ...report.components[0]!, commit: undefined, reason: 'HTTP 404' }] }, { sha: A, source: 'input' })).toMatchObject({ result: 'unknown' })
    expect(compareCommit({ components: [] }, { sha: A, source: 'input' })).toMatchObject({ result: 'unknown', components: [] })
  })
  test('the workflow’s commit: only components from the workflow’s repository count', () => {
    const workflow = (repository: string, sha = A) => ({ sha, source: 'workflow' as const, repository })
    expect(compareCommit(report, workflow('https://GITLAB.wikimedia.org/toolforge-repos/App.git'))).toMatchObject({ result: 'matches' })
    expect(compareCommit(report, workflow('https://github.com/me/worker'))).toMatchObject({ result: 'differs', components: [{ component: 'worker' }] })
    expect(compareCommit(report, workflow('https://github.com/someone/else'))).toBeUndefined()
    expect(compareCommit(report, undefined)).toBeUndefined()
  })
})

describe('repository addresses', () => {
  test('one key however the address is written; shown without scheme and .git', () => {
    const key = repositoryKey('https://gitlab.wikimedia.org/toolforge-repos/app')
    for (const same of ['http://GitLab.Wikimedia.org/toolforge-repos/App.git', 'https://gitlab.wikimedia.org/toolforge-repos/app/', 'https://gitlab.wikimedia.org/toolforge-repos/app.git/']) {
      expect(repositoryKey(same)).toBe(key)
    }
    expect(repositoryKey('https://gitlab.wikimedia.org/toolforge-repos/app2')).not.toBe(key)
    expect(repositoryKey('not a url')).toBeUndefined()
    expect(repositoryLabel('https://gitlab.wikimedia.org/toolforge-repos/App.git')).toBe('gitlab.wikimedia.org/toolforge-repos/App')
  })
})
