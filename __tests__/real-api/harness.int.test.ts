import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { locateRealApi } from '../../dev/support/prerequisites.js'
import { RealApiUnavailable, startRealApi } from '../../dev/real-api/real-api.js'
import { runAction } from '../../dev/support/run-bundle.js'
import { expectNoToken } from '../helpers/leaks.js'
import { WEB, WORKER } from '../helpers/real-api.js'

describe('the real-server harness', () => {
  test('a server that is not there fails loudly, saying where it looked and what to set', async () => {
    const attempt = startRealApi({ ...process.env, TOOLFORGE_REAL_API_DIR: '/nonexistent/real-api' })
    await expect(attempt).rejects.toThrow(RealApiUnavailable)
    await expect(attempt).rejects.toThrow(
      /TOOLFORGE_REAL_API_DIR \(\/nonexistent\/real-api\) holds no serve\.py; see CONTRIBUTING\.md, "Testing against the real server"/
    )
  })

  test('a server that exits at start-up fails with its own output', async () => {
    const where = locateRealApi()
    if (where.kind === 'none') throw new Error(where.reason)
    const attempt = startRealApi(process.env, { ...where, python: 'false' })
    await expect(attempt).rejects.toThrow(/did not start: it exited \(code 1\)/)
  })

  test('timings set for many tools at once all hold, as the benchmarks need', async () => {
    const api = await startRealApi(process.env)
    try {
      for (let round = 0; round < 5; round++) {
        const tools = Array.from({ length: 10 }, (_, i) => `timed-${round}-${i}`)
        await Promise.all(tools.map((tool, i) => api.setToolTimings(tool, { build_running_s: 10 + i })))
        const answer = await fetch(`${api.backendsUrl}/__fake/config`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}'
        })
        const knobs = (await answer.json()) as { tool_overrides: Record<string, { build_running_s?: number }> }
        expect(tools.map((tool) => knobs.tool_overrides[tool]?.build_running_s)).toEqual(tools.map((_, i) => 10 + i))
      }
    } finally {
      await api.stop()
    }
  }, 60_000)

  // The GitHub workflow runs every suite against an upstream checkout behind the project's
  // own stand-ins (real-api/); elsewhere they run the upstream code shipped beside the project.
  test("the project's stand-ins run upstream's app: it deploys and fails as the shipped server does", async () => {
    const where = locateRealApi()
    if (where.kind === 'none') throw new Error(where.reason)
    const api = await startRealApi(
      process.env,
      where.kind === 'checkout'
        ? where
        : {
            kind: 'checkout',
            src: join(where.dir, 'vendor', 'components-api'),
            python: where.python,
            pythonPath: [join(where.dir, 'vendor'), join(where.dir, 'stubs')].join(':')
          }
    )
    try {
      const token = await api.seedTool('upstream', { web: WEB, worker: { ...WORKER, ref: 'broken' } })
      const run = await runAction({ inputs: { tool: 'upstream', token, 'api-url': api.apiUrl } })
      expect(run.code).toBe(1)
      expect(run.outputs.status).toBe('failed')
      expect(run.annotations.find((a) => a.title === 'Toolforge build failed: worker')).toBeDefined()
      await api.setConfig('upstream', { web: WEB })
      const again = await runAction({ inputs: { tool: 'upstream', token, 'api-url': api.apiUrl } })
      expect(again.code).toBe(0)
      expect(JSON.parse(again.outputs.deployment!)).toMatchObject({
        builds: { web: { build_status: 'skipped', build_long_status: 'Reusing existing build' } }
      })
      expect(api.requestLog).toContain('"path": "/components/v1/tool/upstream/deployment"'.replace(/": "/g, '":"'))
      expectNoToken(run.everything + again.everything + api.requestLog, token)
    } finally {
      await api.stop()
    }
  }, 60_000)
})
