import { base64Forms } from '../src/engine/redact.js'

const percent = (token: string, upper: boolean) =>
  [...Buffer.from(token, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')[upper ? 'toUpperCase' : 'toLowerCase']()

/**
 * Every form of a token that must never appear, as a server or a renderer could write
 * it: raw, URI-encoded (as usual, and every character), form-encoded, JSON `\u`
 * escapes, HTML entities (decimal and hexadecimal), Markdown-escaped, and base64 at
 * every offset in both alphabets.
 */
export function tokenForms(token: string): string[] {
  const characters = [...token]
  const forms = [
    token,
    encodeURIComponent(token),
    percent(token, true),
    percent(token, false),
    new URLSearchParams({ t: token }).toString().slice(2),
    characters.map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
    characters.map((c) => `&#${c.codePointAt(0)};`).join(''),
    characters.map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join(''),
    characters.map((c) => (/[A-Za-z0-9]/.test(c) ? c : `\\${c}`)).join(''),
    Buffer.from(token).toString('base64').replace(/=+$/, ''),
    Buffer.from(token).toString('base64url'),
    ...base64Forms(token)
  ]
  return [...new Set(forms)]
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
