import { describe, expect, test } from '@jest/globals'
import { wrapLine } from '../../src/report/text.js'

describe('wrapLine', () => {
  test('a line that fits stays whole', () => {
    expect(wrapLine('  Problem: short', 20)).toEqual(['  Problem: short'])
  })

  test('a longer one breaks between words, each further line indented two more', () => {
    expect(wrapLine('  error: the build of web failed, see its log', 20)).toEqual(['  error: the build', '    of web failed,', '    see its log'])
    for (const line of wrapLine('x '.repeat(100), 13)) expect([...line].length).toBeLessThanOrEqual(13)
  })

  test('a word longer than the line is cut at the width, as a terminal would', () => {
    expect(wrapLine(`id ${'a'.repeat(25)}`, 10)).toEqual(['id', `  ${'a'.repeat(8)}`, 'a'.repeat(10), 'a'.repeat(7)])
  })
})
