import { base64Forms } from '../../src/engine/redact.js'

const percent = (token: string, upper: boolean) => {
  const encoded = [...Buffer.from(token, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')
  return upper ? encoded.toUpperCase() : encoded.toLowerCase()
}

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

/** The shortest piece of a token that counts as a leak by itself. */
export const LEAK_PIECE = 8

/**
 * The text as a reader's eye takes it in: without zero-width, format and control
 * characters, backslashes, line wraps with their indent, and the ⏎ of a flattened line.
 */
export function asRead(text: string): string {
  return (
    text
      .replace(/\n[ \t]*/g, '')
      .replace(/ ?⏎ ?/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\p{Cf}\\]/gu, '')
  )
}

/**
 * The forms of `token` found in `text`, and the pieces of it (LEAK_PIECE characters or
 * more) that a reader would see once what the eye skips is taken out (asRead).
 * `::add-mask::` lines are left out: they are the instruction that tells the runner
 * what to hide, and are never shown.
 */
export function findTokenLeaks(text: string, token: string): string[] {
  const visible = text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
    .toLowerCase()
  const read = asRead(visible)
  const lower = token.toLowerCase()
  const pieces = [...lower].flatMap((_c, start) =>
    start + LEAK_PIECE <= lower.length ? [lower.slice(start, start + LEAK_PIECE)] : []
  )
  const piece = pieces.find((p) => read.includes(p))
  return [
    ...tokenForms(token).filter((form) => visible.includes(form.toLowerCase())),
    ...(piece ? [`a piece of the token as read: ${piece}`] : [])
  ]
}
