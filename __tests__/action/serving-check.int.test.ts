import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'
import { startWebServer } from '../helpers/web-server.js'

/** The simulator's web component publishes, with the health check path /healthz. */
async function checked(
  answer: Parameters<typeof startWebServer>[0],
  inputs: Record<string, string>,
  scenario: 'single' | 'build-queue' = 'single'
) {
  const web = await startWebServer(answer)
  try {
    let result: Awaited<ReturnType<typeof runAction>> | undefined
    await withSimulator(scenario, async ({ sim, url }) => {
      if (inputs.noPublish)
        sim.api.setScenario('mytool', {
          components: [{ name: 'worker', build: { kind: 'source', queueMs: 500, buildMs: 1_000 } }]
        })
      const { noPublish: _n, ...given } = inputs
      result = await runAction({
        inputs: { tool: 'mytool', token: TOKEN, 'api-url': url, check: 'auto', ...given },
        env: { TOOLFORGE_TOOL_URL: web.toolUrl }
      })
    })()
    return { run: result!, web }
  } finally {
    await web.close()
  }
}

describe('the serving check', () => {
  test.concurrent(
    "check_url holds nothing a shell reads, whatever health check path Toolforge's config names",
    async () => {
      const marker = join(mkdtempSync(join(tmpdir(), 'shell-')), 'ran')
      const path = `/$(touch$IFS${marker})';touch$IFS${marker};\`touch$IFS${marker}\`|&`
      const web = await startWebServer(() => ({ status: 200 }))
      try {
        await withSimulator('single', async ({ sim, url }) => {
          sim.api.setScenario('mytool', {
            components: [
              { name: 'web', build: { kind: 'source', queueMs: 300, buildMs: 500 }, publish: { healthCheck: path } }
            ]
          })
          const run = await runAction({
            inputs: { tool: 'mytool', token: TOKEN, 'api-url': url, check: 'auto' },
            env: { TOOLFORGE_TOOL_URL: web.toolUrl }
          })
          expect(run.outputs.check).toBe('passed')
          expect(run.outputs.check_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/%24%28touch%24IFS\/[A-Za-z0-9/._~%-]+$/)
          // What a workflow step that echoes the output unquoted would do.
          spawnSync('bash', ['-c', `echo ${run.outputs.check_url}`])
          expect(existsSync(marker)).toBe(false)
          expect(web.requests.map((r) => r.path)).toEqual([new URL(run.outputs.check_url!).pathname])
        })()
      } finally {
        await web.close()
      }
    }
  )

  test.concurrent('a tool already serving: passed, with one request, after the deployment', async () => {
    const { run, web } = await checked(() => ({ status: 200 }), {})
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ status: 'successful', check: 'passed', check_url: `${web.url}/healthz` })
    expect(web.requests.map((r) => r.path)).toEqual(['/healthz'])
    expect(run.summary).toContain(`| Serving | ${web.url.replace('://', '<wbr>://')}/healthz answered 200 |`)
    expect(run.stdout).toContain(`Checking that ${web.url}/healthz serves (web's health check)`)
  })

  test.concurrent(
    'a web service that starts slowly: 503 for 3 s, then 200, passes and says how long it took',
    async () => {
      let first: number | undefined
      const { run, web } = await checked((_path, ms) => ({ status: ms - (first ??= ms) < 3_000 ? 503 : 200 }), {})
      expect(run.code).toBe(0)
      expect(run.outputs.check).toBe('passed')
      expect(web.requests.length).toBeGreaterThanOrEqual(3)
      expect(run.summary).toMatch(/\| Serving \| .*\/healthz answered 200 after \ds \(\d tries\) \|/)
      expect(run.stdout).toMatch(/\/healthz answered 503; asking again in 1s/)
    }
  )

  test.concurrent(
    'a web service that never serves fails within check-timeout; the status stays successful',
    async () => {
      const { run, web } = await checked(() => ({ status: 503 }), { 'check-timeout': '4s' })
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ status: 'successful', check: 'failed', check_url: `${web.url}/healthz` })
      const failure = run.annotations.find((a) => a.kind === 'error')!.message
      expect(failure).toMatch(
        new RegExp(
          `^Toolforge deployed \\d{8}-\\d{6}-[a-z0-9]{10} successfully, but ${web.url}/healthz did not answer as a serving health check within [34]s \\(503 × [34]\\)$`
        )
      )
      expect(run.summary).toContain('❌ Deployed, but not serving: mytool')
      expect(run.summary).toContain('`toolforge webservice logs`')
      expect(run.summary).toContain('`toolforge jobs logs web`')
    }
  )

  test.concurrent('a health path answering 500 fails, though / answers 200', async () => {
    const { run } = await checked((path) => ({ status: path === '/healthz' ? 500 : 200 }), { 'check-timeout': '2s' })
    expect(run.code).toBe(1)
    expect(run.outputs.check).toBe('failed')
  })

  test.concurrent('off: no probe at all', async () => {
    const { run, web } = await checked(() => ({ status: 503 }), { check: 'off' })
    expect(run.code).toBe(0)
    expect(run.outputs.check).toBe('skipped')
    expect(web.requests).toEqual([])
  })

  test.concurrent('auto without a published component: skipped, said in one line, no probe', async () => {
    const { run, web } = await checked(() => ({ status: 503 }), { noPublish: 'yes' })
    expect(run.code).toBe(0)
    expect(run.outputs.check).toBe('skipped')
    expect(web.requests).toEqual([])
    expect(run.summary).toContain(
      '| Serving | not checked: no component of the deployed config publishes a web service |'
    )
  })

  test.concurrent('a URL that redirects: an answer, not followed', async () => {
    const web = await startWebServer((path) =>
      path === '/' ? { status: 301, headers: { location: 'https://elsewhere.invalid/' } } : { status: 200 }
    )
    try {
      const { run } = await checked(() => ({ status: 503 }), { check: `${web.url}/` })
      expect(run.code).toBe(0)
      expect(run.outputs).toMatchObject({ check: 'passed', check_url: `${web.url}/` })
      expect(web.requests.map((r) => r.path)).toEqual(['/'])
    } finally {
      await web.close()
    }
  })

  test.concurrent('the token never reaches the probed server', async () => {
    const { web } = await checked(() => ({ status: 200 }), {})
    expect(web.requests).toHaveLength(1)
    const seen = JSON.stringify(web.requests)
    expect(seen).not.toContain(TOKEN)
    expect(Object.keys(web.requests[0]!.headers).sort()).toEqual(['connection', 'host', 'user-agent'])
  })

  test.concurrent(
    'the command: --check, --check-timeout, exit 1 for a tool that does not serve, DEPLOY_CHECK',
    async () => {
      const web = await startWebServer(() => ({ status: 502 }))
      const dotenv = join(mkdtempSync(join(tmpdir(), 'check-')), 'deploy.env')
      try {
        await withSimulator('single', async ({ url }) => {
          const run = await runCli(
            [
              '--tool',
              'mytool',
              '--api-url',
              url,
              '--check',
              'auto',
              '--check-timeout',
              '2s',
              '--dotenv',
              dotenv,
              '--json'
            ],
            {
              env: { TOOLFORGE_DEPLOY_TOKEN: TOKEN, TOOLFORGE_TOOL_URL: web.toolUrl }
            }
          )
          expect(run.code).toBe(1)
          expect(JSON.parse(run.stdout)).toMatchObject({
            outcome: 'not-serving',
            exitCode: 1,
            check: 'failed',
            check_detail: { result: 'failed' },
            deployment: { status: 'successful' }
          })
          expect(readFileSync(dotenv, 'utf8')).toMatch(
            /^DEPLOY_ID=\S+\nDEPLOY_STATUS=successful\nDEPLOY_LONG_STATUS=Finished at [^\n]+\nDEPLOY_URL=\S+\nDEPLOY_CHECK=failed\nDEPLOY_CHECK_URL=\S+\/healthz\nDEPLOY_COMMIT=\w*\nDEPLOY_OUTCOME=not-serving\nDEPLOY_FAILURE=tool\nDEPLOY_ATTEMPTS=1\nDEPLOY_REASON=Toolforge deployed \S+ successfully, but [^\n]+ did not answer [^\n]+\n$/
          )
        })()
      } finally {
        await web.close()
      }
    }
  )
})
