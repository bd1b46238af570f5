import { describe, expect, test } from '@jest/globals'
import { base64Forms, createRedactor, MASK, redactJson, secretForms } from '../../src/engine/redact.js'
import { tokenForms } from '../../dev/support/leaks.js'

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

  test("every HTML entity name of a token's punctuation is found", () => {
    const redact = createRedactor(['a.b_c-d~e'])
    for (const form of ['a&period;b&lowbar;c&hyphen;d&Tilde;e', 'a.b&UnderBar;c&dash;d~e']) {
      expect(redact(`<p>${form}</p>`)).toBe(`<p>${MASK}</p>`)
    }
  })

  test('percent-encoding of any character, in either case, is found', () => {
    const redact = createRedactor(['Ab.9'])
    expect(redact('?t=%41%62%2e%39&x')).toBe(`?t=${MASK}&x`)
    expect(redact('?t=%41b%2E9&x')).toBe(`?t=${MASK}&x`)
  })

  test('a token with a character missing is not the token', () => {
    const redact = createRedactor(['abcd-1234'])
    expect(redact('abcd-123 and bcd-1234 and abcd1234')).toBe('abcd-123 and bcd-1234 and abcd1234')
  })

  test('base64 at an offset leaves only the characters that depend on the neighbours', () => {
    const token = TOKENS[0]!
    for (const prefix of ['x', 'xy']) {
      const encoded = Buffer.from(`${prefix}${token}`).toString('base64').replace(/=+$/, '')
      const masked = createRedactor([token])(encoded)
      // Before the mask: the prefix's own characters and one shared with the token; after it, at most two.
      expect([prefix, masked.replace(MASK, '').length]).toEqual([prefix, prefix === 'x' ? 3 : 4])
    }
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

  test('base64 at an offset is looked for once 8 characters of it do not depend on the neighbours', () => {
    expect(base64Forms('abcdef')).toEqual(['YWJjZGVm'])
    expect(base64Forms('abcde')).toEqual([])
  })

  test("a base64 form with a '+' is found in the standard alphabet and, with '-', in the URL-safe one", () => {
    const token = 'eu3Y-V4~'
    expect(base64Forms(token)).toEqual(expect.arrayContaining(['V1M1ktVjR+', 'V1M1ktVjR-']))
    for (const alphabet of ['base64', 'base64url'] as const) {
      const masked = createRedactor([token])(Buffer.from(`x${token}!!`).toString(alphabet))
      expect([alphabet, masked]).toEqual([alphabet, expect.stringContaining(MASK)])
      expect(masked).not.toMatch(/V1M1ktVjR/i)
    }
  })

  test('leaves other text alone', () => {
    const redact = createRedactor(TOKENS)
    expect(redact('nothing secret here: a+b=c, 0f8d2c4e and A.b_c')).toBe(
      'nothing secret here: a+b=c, 0f8d2c4e and A.b_c'
    )
  })

  test('an empty secret masks nothing', () => {
    expect(createRedactor([''])('text')).toBe('text')
  })
})

describe('secretForms', () => {
  test('what the runner is told to mask: the token (its URI form too), its base64, and its base64 at every offset', () => {
    const token = TOKENS[2]!
    expect(encodeURIComponent(token)).toBe(token)
    expect(secretForms(token)).toEqual([token, Buffer.from(token).toString('base64'), ...base64Forms(token)])
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
