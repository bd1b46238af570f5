import { describe, expect, test } from '@jest/globals'
import { runCli } from '../../src/cli/run.js'
import type { Terminal } from '../../src/cli/terminal.js'

/** An 80-column terminal, both streams on one screen. */
function screen(): { terminal: Terminal; shown: () => string } {
  let text = ''
  const stream = { isTTY: true, columns: 80, write: (chunk: string) => ((text += chunk), true) }
  return { terminal: { out: stream, err: stream } as unknown as Terminal, shown: () => text }
}

describe('bad inputs on a terminal', () => {
  test('each is a line of its own, wrapped to the terminal, and nothing is sent', async () => {
    const { terminal, shown } = screen()
    // No token at all, and a timeout in words: the token's message alone is over 300 characters.
    const code = await runCli(['--tool', 'mytool', '--timeout', '45 minutes'], { NO_COLOR: '1' }, terminal)
    expect(code).toBe(2)
    // The last line: where bad inputs are explained, an address a terminal links only whole.
    const [explained, ...rest] = shown().trimEnd().split('\n').reverse()
    expect(explained).toMatch(/^What this means, and how to fix it: https:\/\/\S+#an-input-is-refused$/)
    const lines = rest.reverse()
    expect(lines.every((line) => [...line].length <= 80)).toBe(true)
    const starts = lines.filter((line) => line.startsWith('toolforge-deploy: '))
    expect(starts.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual([
      'toolforge-deploy: TOOLFORGE_DEPLOY_TOKEN is',
      'toolforge-deploy: --timeout is'
    ])
    // The rest of each message goes on below it, indented.
    expect(lines.filter((line) => !line.startsWith('toolforge-deploy: ')).every((line) => line.startsWith('  '))).toBe(
      true
    )
    expect(lines.length).toBeGreaterThan(4)
  })
})
