import { expect } from '@jest/globals'
import { findTokenLeaks } from '../../dev/support/leaks.js'

/** Asserts that no form of the token (raw, URI, form, base64) is in the text. */
export function expectNoToken(text: string, token: string): void {
  expect(findTokenLeaks(text, token)).toEqual([])
}
