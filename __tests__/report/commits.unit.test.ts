import { describe, expect, test } from '@jest/globals'
import { commitLines, commitMismatch, commitNotices } from '../../src/report/commits.js'
import type { Deployment } from '../../src/engine/toolforge-types.js'

const A = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'
const B = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'
const APP = 'https://gitlab.wikimedia.org/toolforge-repos/app.git'
const web = { component: 'web', repository: APP, ref: 'main', commit: A }
const cron = { component: 'cron', repository: APP, ref: 'main', commit: A, reuseFrom: 'web' }

describe('the deployed commit in words', () => {
  test('one line per repository, ref and commit, the components that share it together', () => {
    expect(commitLines({ components: [cron, web], commit: A })).toEqual([
      'cron, web: main @ 1a2b3c4 (gitlab.wikimedia.org/toolforge-repos/app)'
    ])
    // Every component, past four, is counted rather than named; four are named.
    const jobs = (n: number) => Array.from({ length: n }, (_, i) => ({ ...web, component: `job-${i + 1}` }))
    expect(commitLines({ components: jobs(5), commit: A })).toEqual([
      'all 5 components: main @ 1a2b3c4 (gitlab.wikimedia.org/toolforge-repos/app)'
    ])
    expect(commitLines({ components: jobs(4), commit: A })).toEqual([
      'job-1, job-2, job-3, job-4: main @ 1a2b3c4 (gitlab.wikimedia.org/toolforge-repos/app)'
    ])
    const private_ = {
      component: 'worker',
      repository: 'https://github.com/me/w',
      ref: '',
      reason: 'HTTP 401: the repository is private or needs credentials'
    }
    expect(commitLines({ components: [web, private_] })).toEqual([
      'web: main @ 1a2b3c4 (gitlab.wikimedia.org/toolforge-repos/app)',
      'worker: HEAD (github.com/me/w), not resolved'
    ])
    expect(commitNotices({ components: [web, private_, { ...private_, component: 'other' }] })).toEqual([
      'Could not tell which commit HEAD of github.com/me/w is (HTTP 401: the repository is private or needs credentials); the deployment goes on without it.'
    ])
  })

  test('another commit than expected names both, and says when the build was reused', () => {
    const deployment = {
      builds: { web: { build_status: 'skipped', build_long_status: 'Reusing existing build' } }
    } as unknown as Deployment
    const differs = {
      result: 'differs' as const,
      expected: { sha: B, source: 'input' as const },
      components: [web, cron]
    }
    expect(commitMismatch(differs, undefined)).toBe(
      'Toolforge deployed 1a2b3c4 (main of gitlab.wikimedia.org/toolforge-repos/app), not 9f8e7d6 (expect-commit)'
    )
    expect(commitMismatch({ ...differs, expected: { sha: B, source: 'workflow', repository: APP } }, deployment)).toBe(
      'Toolforge deployed 1a2b3c4 (main of gitlab.wikimedia.org/toolforge-repos/app), not 9f8e7d6, the commit this run is for; web, cron reused an earlier build of it, so the ref had not moved since'
    )
    expect(
      commitMismatch(
        {
          result: 'unknown',
          expected: { sha: B, source: 'input' },
          components: [{ ...web, commit: undefined, reason: 'HTTP 404: no such repository' }]
        },
        undefined
      )
    ).toBe(
      'could not tell which commit Toolforge deployed, so 9f8e7d6 (expect-commit) is not confirmed (web: HTTP 404: no such repository)'
    )
    expect(commitMismatch({ result: 'matches', expected: { sha: A, source: 'input' } }, undefined)).toBeUndefined()
  })
})
