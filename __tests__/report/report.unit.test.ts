import { describe, expect, test } from '@jest/globals'
import type { DeployOutcome } from '../../src/engine/deploy.js'
import { ProgressLog } from '../../src/report/progress.js'
import { markdownCode, markdownText, oneLine } from '../../src/report/sanitize.js'
import type { Settings } from '../../src/settings/settings.js'
import { renderMarkdown, renderText, summaryModel } from '../../src/report/summary.js'
import { deployment } from '../../__fixtures__/deployments.js'

describe('sanitize', () => {
  test('oneLine flattens line breaks and drops control characters', () => {
    expect(oneLine('a\nb\r\nc\u0007\u001b[31m')).toBe('a ⏎ b ⏎ c[31m')
  })
  test('oneLine truncates, saying how much was left out', () => {
    expect(oneLine('x'.repeat(30), 10)).toBe('xxxxxxxxxx… [20 more characters]')
  })
  test('markdownText escapes HTML and inline Markdown', () => {
    expect(markdownText('<b>|*x*_`[a](b)&')).toBe('&lt;b&gt;\\|\\*x\\*\\_\\`\\[a\\](b)&amp;')
  })
  test('markdownCode keeps a code span closed and a table cell whole', () => {
    expect(markdownCode('a`b|c<d>&')).toBe('<code>a&#96;b&#124;c&#60;d&#62;&#38;</code>')
  })
})

describe('ProgressLog', () => {
  test('names what changed, once, with the elapsed time', () => {
    const log = new ProgressLog(0)
    expect(log.update(deployment('pending', { web: 'pending' }, { web: 'pending' }), 0)).toBe('[0s] pending · build web: pending')
    expect(log.update(deployment('pending', { web: 'pending' }, { web: 'pending' }), 1_000)).toBeUndefined()
    expect(log.update(deployment('running', { web: 'running' }, { web: 'pending' }), 72_000)).toBe('[1m12s] running · build web: running')
    expect(log.update(deployment('running', { web: 'successful' }, { web: 'successful' }), 80_000)).toBe(
      '[1m20s] running · build web: successful · run web: successful'
    )
  })

  test('a heartbeat comes at most once a minute', () => {
    const log = new ProgressLog(0)
    log.update(deployment('running', { web: 'running', api: 'successful' }), 0)
    expect(log.heartbeat(59_000)).toBeUndefined()
    expect(log.heartbeat(60_000)).toBe('[1m] still running · build web: running')
    expect(log.heartbeat(100_000)).toBeUndefined()
    expect(log.heartbeat(120_000)).toBe('[2m] still running · build web: running')
  })
})

describe('the job summary', () => {
  const settings = { tool: 'mytool', description: 'ci', timeoutMs: 1_800_000, deployId: undefined } as Settings
  const outcome = (end: DeployOutcome['end'], d = deployment('failed', { web: 'failed' }, { web: 'skipped' })): DeployOutcome => ({
    end,
    deployment: d,
    error: undefined,
    mayHaveStarted: false,
    startedAt: 0,
    endedAt: 95_000,
    queuedMs: 20_000
  })

  test('a failure says what to do next, in Markdown and in text', () => {
    const model = summaryModel(outcome('failed'), settings)
    const markdown = renderMarkdown(model)
    expect(markdown).toContain('## ❌ Toolforge deployment failed: mytool')
    expect(markdown).toContain('| Duration | 1m35s, of which 20s queued behind another deployment |')
    expect(markdown).toContain('- Read the build log of web: <code>toolforge build logs web-build</code>')
    const text = renderText(model)
    expect(text).toContain('✖ Toolforge deployment failed: mytool')
    expect(text).toContain('  - Read the build log of web: toolforge build logs web-build')
  })

  test('a success has no advice', () => {
    const model = summaryModel(outcome('successful', deployment('successful', { web: 'successful' })), settings)
    expect(model.nextSteps).toEqual([])
    expect(model.problem).toBeUndefined()
    expect(renderMarkdown(model)).not.toContain('What to do next')
  })
})
