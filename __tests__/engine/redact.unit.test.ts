import { describe, expect, test } from '@jest/globals'
import { base64Forms, createRedactor, MASK, redactJson } from '../../src/engine/redact.js'
import { tokenForms } from '../../scripts/leaks.js'

const TOKENS = ['0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b', 'A.b_c~d-1xYz', 'k3J_9xQ.v~Z-0']

describe('createRedactor', () => {
  test.each(TOKENS)('masks every form of %s, embedded in any text', (token) => {
    const redact = createRedactor([token])
    const forms = tokenForms(token)
    expect(forms.length).toBeGreaterThanOrEqual(10)
    for (const form of forms) {
      expect([form, redact(`before ${form} after ${form}.`)]).toEqual([form, `before ${MASK} after ${MASK}.`])
    }
  })

  test('a form with mixed encodings is masked too', () => {
    const token = 'ab.cd_ef-12'
    const mixed = 'a&#98;%2E\\cd&lowbar;e\\u0066&#x2d;12'
    expect(createRedactor([token])(`[${mixed}]`)).toBe(`[${MASK}]`)
  })

  test('base64 is found at any of the three byte offsets, in both alphabets', () => {
    const token = TOKENS[0]!
    expect(base64Forms(token).length).toBeGreaterThanOrEqual(3)
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const encoded = Buffer.from(`${prefix}${token}!!`).toString('base64')
      expect(createRedactor([token])(encoded)).toContain(MASK)
      expect(createRedactor([token])(Buffer.from(`${prefix}${token}!!`).toString('base64url'))).toContain(MASK)
    }
  })

  test('leaves other text alone', () => {
    const redact = createRedactor(TOKENS)
    expect(redact('nothing secret here: a+b=c, 0f8d2c4e and A.b_c')).toBe('nothing secret here: a+b=c, 0f8d2c4e and A.b_c')
  })

  test('an empty secret masks nothing', () => {
    expect(createRedactor([''])('text')).toBe('text')
  })
})

describe('redactJson', () => {
  test('masks every decoded string, keys included, in objects without a prototype', () => {
    const token = TOKENS[1]!
    const parsed = JSON.parse(`{"a": ["x ${token} y", 3, null], "${token}": {"__proto__": "${token}"}}`) as unknown
    const masked = redactJson(parsed, createRedactor([token])) as Record<string, unknown>
    expect(JSON.stringify(masked)).toBe(`{"a":["x ${MASK} y",3,null],"${MASK}":{"__proto__":"${MASK}"}}`)
    expect(Object.getPrototypeOf(masked)).toBeNull()
  })
})
