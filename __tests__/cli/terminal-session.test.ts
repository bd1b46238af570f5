import { readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { COLUMNS, SESSION_FILE } from '../../dev/demo/record-terminal.js'

/** The recorded terminal session (npm run record:terminal): what a person at an 80-column terminal saw. */
const recording = readFileSync(SESSION_FILE, 'utf8')
const sessions = recording.split(/^════ .* ════$/m).slice(1)
const screens = (session: string) =>
  session
    .split(/^──── \d+s ─+$/m)
    .slice(1)
    .map((screen) => screen.trim())

describe('the recorded terminal session', () => {
  test('has a deployment that succeeds and one whose build fails, each to its exit code', () => {
    expect(sessions).toHaveLength(2)
    // A success ends in one line, with no tables: at most 12 lines between the command and its exit.
    const success = screens(sessions[0]!).at(-1)!
    expect(success).toMatch(/✔ mytool deployed \S+ in \d+s →\s+http\S+\n\[exit 0\]\n\$$/)
    expect(success.split('\n').slice(1, -2).length).toBeLessThanOrEqual(12)
    expect(screens(sessions[1]!).at(-1)).toMatch(/✖ Toolforge deployment failed: mytool[\s\S]*\[exit 1\]\n\$$/)
  })

  test('no line was wider than the terminal: the capture joins wrapped lines, so a wrapped one would be', () => {
    expect(COLUMNS).toBe(80)
    const wide = recording.split('\n').filter((line) => [...line].length > COLUMNS)
    expect(wide).toEqual([])
  })

  test('while it waits, a live line shows the time, the phase and the components done', () => {
    const live = screens(sessions[0]!)
      .map((screen) => screen.split('\n').at(-1)!)
      .filter((line) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /.test(line))
    expect(live.length).toBeGreaterThanOrEqual(2)
    for (const line of live) expect(line).toMatch(/^\S \d+s · [a-z ]+ · \d\/3 built(, \d failed)?, \d\/3 restarted$/)
    // It is gone once the deployment has ended.
    expect(screens(sessions[0]!).at(-1)).not.toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] /m)
  })

  test('at 80 columns the components of a failure are a line each, not a table', () => {
    const final = screens(sessions[1]!).at(-1)!
    expect(final).toMatch(/^ {2}web: build successful \d+s \(mytool-buildpacks-pipelinerun-[a-z0-9]{5}\) · run \S+$/m)
    expect(final).not.toContain('Component  Build')
  })
})
