import { describe, expect, test } from '@jest/globals'
import { colourer } from '../../src/cli/colour.js'
import type { Terminal } from '../../src/cli/terminal.js'

const tty = { isTTY: true, columns: 80, write: () => true } as unknown as Terminal['out']
const colour = colourer(tty, {})
const red = (text: string) => `\x1b[31m${text}\x1b[0m`
const green = (text: string) => `\x1b[32m${text}\x1b[0m`
const yellow = (text: string) => `\x1b[33m${text}\x1b[0m`

describe('the command’s colours', () => {
  test('come from statuses: the progress line’s status and each component’s mark', () => {
    expect(colour('[2m41s] running · builds: web ✓ 2m41s, worker ✗')).toBe(
      `[2m41s] ${yellow('running')} · builds: web ${green('✓')} 2m41s, worker ${red('✗')}`
    )
    expect(colour('[5m] still failed · runs: web running')).toBe(`[5m] still ${red('failed')} · runs: web running`)
  })

  test('never from words in Toolforge’s sentences', () => {
    const reason = '  Problem: Toolforge deployment 1 of mytool failed: the build failed, successful before'
    expect(colour(reason)).toBe(reason)
    expect(colour('Toolforge says: the job failed to start, running again')).toBe(
      'Toolforge says: the job failed to start, running again'
    )
  })

  test('the verdict’s mark, the states of a component line, a failed bar and the prefixes', () => {
    expect(colour('✖ Toolforge deployment failed: mytool')).toBe(`${red('✖')} Toolforge deployment failed: mytool`)
    expect(colour('✔ mytool deployed 1 in 3s → https://mytool.toolforge.org/')).toBe(
      `${green('✔')} mytool deployed 1 in 3s → https://mytool.toolforge.org/`
    )
    expect(colour('  web, api: build failed 4s · run skipped')).toBe(
      `  web, api: build ${red('failed')} 4s · run skipped`
    )
    expect(colour('  worker  ···━━━━✗     1m45s')).toBe(`  worker  ···━━━━${red('✗')}     1m45s`)
    expect(colour('warning: something')).toBe(`${yellow('warning:')} something`)
    expect(colour('error: the reason')).toBe(`${red('error:')} the reason`)
  })

  test('none in a pipe, none with NO_COLOR', () => {
    const line = '[1s] failed · builds: web ✗'
    expect(colourer({ ...tty, isTTY: false } as Terminal['out'], {})(line)).toBe(line)
    expect(colourer(tty, { NO_COLOR: '1' })(line)).toBe(line)
  })
})
