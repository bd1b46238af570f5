import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { expectNoToken } from '../helpers/leaks.js'
import { TOKEN, toolInputs, withQuickTool } from '../helpers/simulator.js'
import { startWebServer } from '../helpers/web-server.js'

const OTHER = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'
const inputs = toolInputs
const start = withQuickTool
const shortOf = (sha: string) => sha.slice(0, 7)

describe('which commit Toolforge deploys', () => {
  test.concurrent(
    'the commit output, the summary and the log name what the ref resolved to, with one request to the repository',
    start(async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url) })
      const commit = sim.git.commitOf('mytool')
      expect(run.code).toBe(0)
      expect(run.outputs.commit).toBe(commit)
      const line = `web: main @ ${shortOf(commit)} (127.0.0.1:${new URL(url).port}/git/mytool)`
      expect(run.summary).toContain(`| Commit | ${line} |`)
      expect(run.stdout).toContain(`Commit: ${line}`)
      expect(sim.gitRequests).toEqual(['/git/mytool.git/info/refs?service=git-upload-pack'])
      expect(run.annotations).toEqual([])
      expectNoToken(run.everything, TOKEN)
    })
  )

  test.concurrent(
    'expect-commit: another commit fails the step naming both, while status stays successful',
    start(async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url, { 'expect-commit': OTHER }) })
      const commit = sim.git.commitOf('mytool')
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ status: 'successful', commit })
      const error = run.annotations.find((a) => a.kind === 'error')
      expect(error?.message).toMatch(
        new RegExp(
          `^Toolforge deployed ${shortOf(commit)} \\(main of 127\\.0\\.0\\.1:\\d+/git/mytool\\), not ${shortOf(OTHER)} \\(expect-commit\\)\\. Deployment \\S+ is successful on Toolforge\\.$`
        )
      )
      expect(run.summary).toContain('## ❌ Deployed, but not the expected commit: mytool')
      expect(run.summary).toContain('git ls-remote')
    })
  )

  test.concurrent(
    'expect-commit: the same commit, in capitals, passes',
    start(async ({ sim, url }) => {
      const run = await runAction({
        inputs: inputs(url, { 'expect-commit': sim.git.commitOf('mytool').toUpperCase() })
      })
      expect([run.code, run.annotations]).toEqual([0, []])
    })
  )

  test.concurrent(
    'without expect-commit, another commit of the workflow’s own repository is a warning; the step passes',
    start(async ({ url }) => {
      const env = {
        GITHUB_SHA: OTHER,
        GITHUB_SERVER_URL: url,
        GITHUB_REPOSITORY: 'git/MyTool',
        GITHUB_EVENT_NAME: 'push'
      }
      const run = await runAction({ inputs: inputs(url), env })
      expect(run.code).toBe(0)
      expect(run.annotations).toEqual([
        {
          kind: 'warning',
          title: 'Deployed another commit',
          message: expect.stringMatching(
            new RegExp(
              `^Toolforge deployed \\w{7} \\(main of 127\\.0\\.0\\.1:\\d+/git/mytool\\), not ${shortOf(OTHER)}, the commit this run is for$`
            )
          )
        }
      ])
      // Another repository's commit is nobody's business here.
      const elsewhere = await runAction({
        inputs: inputs(url),
        env: { ...env, GITHUB_SERVER_URL: 'https://github.com' }
      })
      expect(elsewhere.annotations).toEqual([])
    })
  )

  test.concurrent(
    'a repository that cannot be read is a notice, never a failure; expect-commit then fails: nothing proves it',
    start(async ({ sim, url }) => {
      sim.git.makePrivate('mytool')
      const run = await runAction({ inputs: inputs(url) })
      expect(run.code).toBe(0)
      expect(run.outputs.commit).toBe('')
      expect(run.annotations).toEqual([
        {
          kind: 'notice',
          title: 'Deployed commit not known',
          message: expect.stringMatching(
            /^Could not tell which commit main of 127\.0\.0\.1:\d+\/git\/mytool is \(HTTP 401: the repository is private or needs credentials\); the deployment goes on without it\.$/
          )
        }
      ])
      const strict = await runAction({ inputs: inputs(url, { 'expect-commit': OTHER }) })
      expect(strict.code).toBe(1)
      expect(strict.annotations.find((a) => a.kind === 'error')?.message).toContain(
        `could not tell which commit Toolforge deployed, so ${shortOf(OTHER)} (expect-commit) is not confirmed (web: HTTP 401`
      )
    })
  )

  test.concurrent(
    'a malformed expect-commit is an input error, before any request',
    start(async ({ sim, url }) => {
      const run = await runAction({ inputs: inputs(url, { 'expect-commit': 'abc1234' }) })
      expect(run.code).toBe(1)
      expect(run.stdout).toContain(`::error::Input 'expect-commit' is "abc1234"; accepted: empty`)
      expect([sim.requests, sim.gitRequests]).toEqual([[], []])
    })
  )

  test.concurrent(
    'the command: --json carries the commit; --expect-commit another exits 1',
    start(async ({ sim, url }) => {
      const commit = sim.git.commitOf('mytool')
      const run = await runCli(['--tool', 'mytool', '--api-url', url, '--json'], {
        env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
      })
      expect(run.code).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({
        commit,
        commits: [{ component: 'web', repository: `${url}/git/mytool.git`, ref: 'main', commit }]
      })
      const wrong = await runCli(['--tool', 'mytool', '--api-url', url, '--json', '--expect-commit', OTHER], {
        env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN }
      })
      expect(wrong.code).toBe(1)
      expect(JSON.parse(wrong.stdout)).toMatchObject({
        outcome: 'other-commit',
        exitCode: 1,
        commit,
        deployment: { status: 'successful' }
      })
      // With --json the summary is on stderr, and states the reason once.
      expect(wrong.stderr).toContain(`Problem: Toolforge deployed ${shortOf(commit)} (main of 127.0.0.1:`)
      expect(wrong.stderr).not.toContain('error: Toolforge deployed')
    })
  )
})

describe('check-expect', () => {
  test.concurrent(
    'passes once the address serves the text: the old version first, then the new one',
    start(async ({ url }) => {
      let first: number | undefined
      const web = await startWebServer((_path, ms) => ({
        status: 200,
        body: ms - (first ??= ms) < 2_000 ? 'version 1.0' : 'version 2.0'
      }))
      try {
        const run = await runAction({
          inputs: inputs(url, { check: 'auto', 'check-expect': '2.0' }),
          env: { TOOLFORGE_TOOL_URL: web.toolUrl }
        })
        expect(run.code).toBe(0)
        expect(run.outputs.check).toBe('passed')
        expect(web.requests.length).toBeGreaterThan(1)
        expect(run.summary).toMatch(/\| Serving \| .*\/version answered 200 after \d+s \(\d+ tries\) \|/)
      } finally {
        await web.close()
      }
    })
  )

  test.concurrent(
    'fails within check-timeout when the text never comes, naming it and showing what was served',
    start(async ({ url }) => {
      const web = await startWebServer(() => ({
        status: 200,
        body: 'version 1.0 <script>alert(1)</script>\n::error::injected'
      }))
      try {
        const started = Date.now()
        const run = await runAction({
          inputs: inputs(url, { check: 'auto', 'check-expect': '2.0', 'check-timeout': '3s' }),
          env: { TOOLFORGE_TOOL_URL: web.toolUrl }
        })
        expect(run.code).toBe(1)
        expect(Date.now() - started).toBeLessThan(20_000)
        expect(run.outputs).toMatchObject({ status: 'successful', check: 'failed' })
        const error = run.annotations.find((a) => a.kind === 'error')!
        expect(error.message).toMatch(
          /\/version did not serve "2\.0" within \ds \(200 without the text × \d\); it served: "version 1\.0 <script>alert\(1\)<\/script> ⏎ ::error::injected"/
        )
        expect(run.annotations.filter((a) => a.kind === 'error')).toHaveLength(1)
        expect(run.summary).not.toContain('<script>')
      } finally {
        await web.close()
      }
    })
  )
})
