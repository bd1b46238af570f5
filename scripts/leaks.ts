/** Every form of a token that must never appear: raw, URI-encoded, form-encoded, base64. */
export function tokenForms(token: string): string[] {
  return [
    token,
    encodeURIComponent(token),
    new URLSearchParams({ t: token }).toString().slice(2),
    Buffer.from(token).toString('base64').replace(/=+$/, '')
  ]
}

/**
 * The forms of `token` found in `text`. `::add-mask::` lines are left out: they are the
 * instruction that tells the runner what to hide, and are never shown.
 */
export function findTokenLeaks(text: string, token: string): string[] {
  const visible = text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
    .toLowerCase()
  return tokenForms(token).filter((form) => visible.includes(form.toLowerCase()))
}
