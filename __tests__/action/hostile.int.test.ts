import { describe, expect, test } from '@jest/globals'
import { renderGfm } from '../../dev/demo/gfm.js'
import { expectNoToken } from '../helpers/leaks.js'
import { runAction } from '../../dev/support/run-bundle.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'
import { TROUBLESHOOTING } from '../../src/report/troubleshooting.js'

/** A wrong token with every character a token may have. */
const WRONG = 'Wr0ng.t0k_en~x-9f8e'

describe('the token never shows', () => {
  test.concurrent.each([
    ['a wrong token, echoed by the 401', WRONG, undefined],
    ['an expired token, echoed by the 401', TOKEN, 'expired'],
    ['a tool without a token', TOKEN, 'none']
  ] as const)('%s', (_name, token, kind) =>
    withSimulator('single', async ({ sim, url }) => {
      if (kind === 'expired') sim.api.setToolToken('mytool', { kind, token })
      if (kind === 'none') sim.api.setToolToken('mytool', { kind })
      const run = await runAction({ inputs: { tool: 'mytool', token, 'api-url': url } })
      expect(run.code).toBe(1)
      const failure = run.annotations.find((a) => a.kind === 'error')!.message
      expect(failure).toMatch(/^creating the deployment failed: Toolforge refused the deploy token \(HTTP 401\): /)
      if (kind !== 'none') expect(failure).toContain("The token passed '***'")
      expect(run.summary).toContain('toolforge components deploy-token create')
      expectNoToken(run.everything, token)
    })()
  )

  test.concurrent(
    'is masked in debug logs and outputs too',
    withSimulator('single', async ({ url }) => {
      const run = await runAction({
        inputs: { tool: 'mytool', token: WRONG, 'api-url': url },
        env: { RUNNER_DEBUG: '1' }
      })
      expect(run.code).toBe(1)
      expectNoToken(run.everything, WRONG)
    })
  )
})

describe('hostile responses', () => {
  test.concurrent(
    'newlines, workflow commands, HTML and megabytes stay inert and bounded',
    withSimulator('hostile', async ({ url }) => {
      const run = await runAction({ inputs: { tool: 'mytool', token: TOKEN, 'api-url': url } })
      expect(run.code).toBe(1)
      const commands = run.stdout
        .split('\n')
        .filter((line) => /^\s*(::|##\[)/.test(line))
        .map((line) => /^\s*(::[a-z-]+|##\[[a-z-]+)/.exec(line)![1])
      expect(new Set(commands)).toEqual(new Set(['::add-mask', '::debug', '::error']))
      expect(run.stdout).not.toMatch(/^::set-output/m)
      expect(run.annotations.every((a) => a.title !== 'injected')).toBe(true)
      for (const annotation of run.annotations) expect(annotation.message.length).toBeLessThan(1_100)
      expect(run.summary).not.toContain('<script>')
      expect(run.summary).toContain('&lt;script&gt;')
      expect(run.summary.length).toBeLessThan(100_000)
      for (const value of Object.values(run.outputs)) expect(value.length).toBeLessThan(20_000)
      // The summary's tables keep their shape: every row of the component table has 5 cells.
      const rows = run.summary
        .split('\n')
        .filter((line) => line.startsWith('| web') || line.startsWith('| worker') || line.startsWith('| &lt;img'))
      expect(rows).toHaveLength(3)
      for (const row of rows) expect(row.split(/(?<!\\)\|/).length - 2).toBe(5)
      expect(run.outputs.status).toBe('failed')
      expect(run.stdout).toMatch(/^Toolforge says: line one ⏎ ::error title=injected::workflow command injection ⏎ /m)
      // Rendered as GitHub does, no tag from the server takes effect; the only link is the tool's address, which the action makes.
      const html = renderGfm(run.summary)
      expect(html).not.toMatch(/<(img|script)\b/)
      // The tool's address and the project's own page on the failure: no link of the server's making.
      expect([...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1])).toEqual([
        'http://127.0.0.1:9/mytool/',
        `${TROUBLESHOOTING}#a-build-failed`
      ])
      // Every output is one line, with no control character in it.
      // eslint-disable-next-line no-control-regex
      const control = /[\u0000-\u001f\u007f-\u009f]/
      for (const [name, value] of Object.entries(run.outputs))
        expect([name, control.test(value)]).toEqual([name, false])
    })
  )

  test.concurrent(
    'many failed components stay within the annotation limit',
    withSimulator('many-failures', async ({ url }) => {
      const run = await runAction({ inputs: { tool: 'mytool', token: TOKEN, 'api-url': url } })
      expect(run.code).toBe(1)
      const errors = run.annotations.filter((a) => a.kind === 'error')
      expect(errors.length).toBeLessThanOrEqual(10)
      expect(errors.filter((a) => a.title?.startsWith('Toolforge build failed: '))).toHaveLength(8)
      const rest = errors.find((a) => a.title === '6 more Toolforge components failed')!
      expect(rest.message).toBe(
        'Also failed: build job-09, build job-10, build job-11, build job-12, build job-13, build job-14'
      )
      expect(run.summary.split('\n').filter((line) => line.startsWith('| job-'))).toHaveLength(14)
    })
  )
})
