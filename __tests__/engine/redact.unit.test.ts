import { describe, expect, test } from '@jest/globals'
import { createRedactor, MASK } from '../../src/engine/redact.js'

describe('createRedactor', () => {
  const token = 'ab/c+d=é!x'
  const redact = createRedactor([token])

  test.each([
    ['raw', token],
    ['URI-encoded', encodeURIComponent(token)],
    ['URI-encoded, lower-case hex', encodeURIComponent(token).toLowerCase()],
    ['form-encoded', new URLSearchParams({ t: token }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(token).slice(1, -1)],
    ['base64', Buffer.from(token).toString('base64')]
  ])('masks the %s form', (_name, form) => {
    expect(redact(`before ${form} after ${form}`)).toBe(`before ${MASK} after ${MASK}`)
  })

  test('leaves other text alone', () => {
    expect(redact('nothing secret here: a+b=c')).toBe('nothing secret here: a+b=c')
  })

  test('an empty secret masks nothing', () => {
    expect(createRedactor([''])('text')).toBe('text')
  })
})
