import { describe, expect, test } from '@jest/globals'
import { setTimeout as sleep } from 'node:timers/promises'
import { cliVoice, createCliReporter } from '../../src/cli/reporter.js'
import { summaryModel } from '../../src/report/summary.js'
import type { Terminal } from '../../src/cli/terminal.js'
import { createRedactor } from '../../src/engine/redact.js'
import { deployment, deployOutcome } from '../../dev/fixtures/deployments.js'
import { settingsFixture } from '../../dev/fixtures/settings.js'

const settings = settingsFixture({ token: 'tok' })

/** A terminal of 80 columns that keeps what was written to it. */
function terminal(): { terminal: Terminal; written: () => string } {
  let text = ''
  const stream = {
    isTTY: true,
    columns: 80,
    write: (chunk: string) => ((text += chunk), true)
  } as unknown as Terminal['out']
  return { terminal: { out: stream, err: stream }, written: () => text }
}

/** A reporter for a terminal without colours, its token masked. */
const reporterOn = (tty: Terminal) =>
  createCliReporter(
    settings,
    tty,
    { NO_COLOR: '1' },
    { json: false, dotenv: undefined, verbose: false },
    createRedactor(['tok']),
    Date.now
  )

/** Ends the reporter as a Ctrl-C before any deployment would: its live line stops. */
function interrupt(reporter: ReturnType<typeof createCliReporter>): void {
  const interrupted = deployOutcome('interrupted', undefined, { endedAt: 0 })
  reporter.finish(interrupted, summaryModel(interrupted, settings, cliVoice(settings)))
}

describe('the command’s live line', () => {
  test('says when Toolforge has queued the deployment behind another one, and stops saying it once it runs', async () => {
    const { terminal: tty, written } = terminal()
    const reporter = reporterOn(tty)
    const queued = deployment(
      'pending',
      { web: 'pending' },
      { web: 'pending' },
      { builds: { web: { build_id: 'no-id-yet', build_status: 'pending' } } }
    )
    const response = (d: typeof queued) => ({
      deployment: d,
      messages: { info: [], warning: [], error: [] },
      status: 200,
      retryAfterMs: undefined
    })
    reporter.created(response(queued))
    reporter.queuedOnServer(queued)
    reporter.polled(response(queued))
    await sleep(1_100)
    // eslint-disable-next-line no-control-regex -- the live line redraws itself with a clear-line sequence
    expect(written()).toMatch(/\r\u001b\[2K\S \d+s · queued on Toolforge behind another deployment of mytool/)
    const before = written().length
    reporter.polled(response(deployment('running', { web: 'running' }, { web: 'pending' })))
    await sleep(1_100)
    expect(written().slice(before)).not.toContain('queued on Toolforge')
    expect(written().slice(before)).toMatch(/· building · 0\/1 built, 0\/1 restarted/)
    interrupt(reporter)
  })

  test('counts a failed build as failed, not as built', async () => {
    const { terminal: tty, written } = terminal()
    const reporter = reporterOn(tty)
    const failing = deployment(
      'running',
      { web: 'failed', worker: 'successful' },
      { web: 'pending', worker: 'pending' }
    )
    reporter.created({
      deployment: failing,
      messages: { info: [], warning: [], error: [] },
      status: 200,
      retryAfterMs: undefined
    })
    await sleep(1_100)
    expect(written()).toMatch(/ · 1\/2 built, 1 failed, 0\/2 restarted/)
    interrupt(reporter)
  })
})
