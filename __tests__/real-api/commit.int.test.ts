import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { expectNoToken } from '../helpers/leaks.js'
import { CRON, tokenRequests, toolName, UPSTREAM, useRealApi, WEB } from '../helpers/real-api.js'

const realApi = useRealApi()
const OTHER = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'
const inputs = (tool: string, token: string, extra: Record<string, string> = {}) => ({
  tool,
  token,
  'api-url': realApi().apiUrl,
  ...extra
})
const short = (sha: string) => sha.slice(0, 7)
/** The sample repository as the summary names it: host and path, without scheme and .git. */
const label = () =>
  realApi()
    .repoUrl.replace(/^http:\/\//, '')
    .replace(/\.git$/, '')

describe(`the deployed commit against the real Components API (upstream ${UPSTREAM}) and its git server`, () => {
  test.concurrent(
    'commit is what Toolforge’s build resolved the ref to; reuse_from shares it; a matching expect-commit passes',
    async () => {
      const tool = toolName('commit')
      const token = await realApi().seedTool(tool, { web: WEB, cron: CRON })
      const main = realApi().commitOf('main')
      const run = await runAction({ inputs: inputs(tool, token, { 'expect-commit': main }) })
      expect(run.code).toBe(0)
      expect(run.outputs.commit).toBe(main)
      // What the build service recorded, from `git ls-remote` in the real runtime's request.
      expect((await realApi().builds(tool)).map((b) => b.resolved_ref)).toEqual([main])
      // <wbr> lets the long address break in the table, and copies as nothing.
      expect(run.summary.replaceAll('<wbr>', '')).toContain(
        `| Commit | cron, web: main @ ${short(main)} (${label()}) |`
      )
      expect(run.annotations).toEqual([])
      expectNoToken(run.everything, token)
    }
  )

  test.concurrent(
    'a mismatching expect-commit fails the step after the deployment, naming both commits; status stays successful',
    async () => {
      const tool = toolName('mismatch')
      const token = await realApi().seedTool(tool, { web: WEB })
      const main = realApi().commitOf('main')
      const run = await runAction({ inputs: inputs(tool, token, { 'expect-commit': OTHER }) })
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ status: 'successful', commit: main })
      expect(run.annotations.filter((a) => a.kind === 'error').map((a) => a.message)).toEqual([
        `Toolforge deployed ${short(main)} (main of ${label()}), not ${short(OTHER)} (expect-commit). Deployment ${run.outputs.deploy_id} is successful on Toolforge.`
      ])
    }
  )

  test.concurrent(
    'a reused build: the workflow’s other commit is a warning that says the ref had not moved',
    async () => {
      const tool = toolName('reused')
      const token = await realApi().seedTool(tool, { web: WEB })
      expect((await runAction({ inputs: inputs(tool, token) })).code).toBe(0)
      const repository = new URL(realApi().repoUrl)
      const env = {
        GITHUB_SHA: OTHER,
        GITHUB_SERVER_URL: repository.origin,
        GITHUB_REPOSITORY: repository.pathname.slice(1).replace(/\.git$/, ''),
        GITHUB_EVENT_NAME: 'push'
      }
      const run = await runAction({ inputs: inputs(tool, token), env })
      expect(run.code).toBe(0)
      expect(JSON.parse(run.outputs.deployment!)).toMatchObject({
        builds: { web: { build_status: 'skipped', build_long_status: 'Reusing existing build' } }
      })
      expect(run.annotations).toEqual([
        {
          kind: 'warning',
          title: 'Deployed another commit',
          message: `Toolforge deployed ${short(realApi().commitOf('main'))} (main of ${label()}), not ${short(OTHER)}, the commit this run is for; web reused an earlier build of it, so the ref had not moved since`
        }
      ])
    }
  )

  test.concurrent('an annotated tag: the commit it points to, which is what the build checks out', async () => {
    const tool = toolName('tag')
    const token = await realApi().seedTool(tool, { web: { ...WEB, ref: 'v1.0' } })
    const run = await runAction({ inputs: inputs(tool, token) })
    expect(run.code).toBe(0)
    expect(run.outputs.commit).toBe(realApi().commitOf('v1.0'))
    // Toolforge records ls-remote's first object: for an annotated tag, the tag object.
    expect((await realApi().builds(tool)).map((b) => b.resolved_ref)).not.toEqual([run.outputs.commit])
  })

  test.concurrent(
    'a repository that cannot be resolved is a notice; the step ends for Toolforge’s own state only',
    async () => {
      const tool = toolName('norepo')
      const missing = realApi().repoUrl.replace('sample-app.git', 'missing.git')
      const token = await realApi().seedTool(tool, { web: { ...WEB, repository: missing } })
      // Toolforge cannot start the build either, and keeps the deployment running: stop waiting soon.
      const run = await runAction({ inputs: inputs(tool, token, { timeout: '8s' }) })
      expect(run.outputs.commit).toBe('')
      expect(run.annotations.filter((a) => a.kind === 'notice').map((a) => a.message)).toEqual([
        `Could not tell which commit main of ${label().replace('sample-app', 'missing')} is (HTTP 404: no such repository); the deployment goes on without it.`
      ])
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('running')
      expect(run.annotations.filter((a) => a.kind === 'error').map((a) => a.message)).toEqual([
        expect.stringMatching(/^this run's timeout \(8s\) expired while deployment \S+ was running on Toolforge/)
      ])
    }
  )

  test.concurrent('a malformed expect-commit is refused as an input error, before any request', async () => {
    const tool = toolName('badsha')
    const token = await realApi().seedTool(tool, { web: WEB })
    const run = await runAction({ inputs: inputs(tool, token, { 'expect-commit': 'main' }) })
    expect(run.code).toBe(1)
    expect(run.annotations.map((a) => a.message)).toEqual([
      expect.stringMatching(/^Input 'expect-commit' is "main"; accepted: empty/)
    ])
    expect(tokenRequests(realApi(), tool)).toEqual([])
  })

  test.concurrent('the command gives the same answers: --json carries the commit, a mismatch exits 1', async () => {
    const tool = toolName('clicommit')
    const token = await realApi().seedTool(tool, { web: WEB })
    const main = realApi().commitOf('main')
    const run = await runCli(['--tool', tool, '--api-url', realApi().apiUrl, '--json'], {
      env: { TOOLFORGE_DEPLOY_TOKEN: token }
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      outcome: 'successful',
      commit: main,
      commits: [{ component: 'web', repository: realApi().repoUrl, ref: 'main', commit: main }]
    })
    const wrong = await runCli(['--tool', tool, '--api-url', realApi().apiUrl, '--json', '--expect-commit', OTHER], {
      env: { TOOLFORGE_DEPLOY_TOKEN: token }
    })
    expect(wrong.code).toBe(1)
    expect(JSON.parse(wrong.stdout)).toMatchObject({
      outcome: 'other-commit',
      commit: main,
      deployment: { status: 'successful' }
    })
    expectNoToken(run.stdout + run.stderr + wrong.stdout + wrong.stderr, token)
  })
})
