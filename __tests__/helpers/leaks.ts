import { expect } from '@jest/globals'

/** Every form of `token` that must never appear: raw, URI-encoded, form-encoded, base64. */
export function tokenForms(token: string): string[] {
  return [
    token,
    encodeURIComponent(token),
    new URLSearchParams({ t: token }).toString().slice(2),
    Buffer.from(token).toString('base64').replace(/=+$/, '')
  ]
}

/**
 * Asserts that no form of the token is in the text. `::add-mask::` lines are excluded:
 * they are the instruction that tells the runner what to hide, and never shown.
 */
export function expectNoToken(text: string, token: string): void {
  const visible = text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
  for (const form of tokenForms(token)) expect(visible.toLowerCase()).not.toContain(form.toLowerCase())
}
