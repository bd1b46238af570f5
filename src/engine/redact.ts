import { SKIPPED_BETWEEN, withoutInvisible } from './plain-text.js'

/** What a secret is replaced with, the same marker the runner's own masking uses. */
export const MASK = '***'

/** Base64 of a secret can start at any of three byte offsets inside a longer encoded text. */
const BASE64_OFFSETS = [0, 1, 2]
/** Shorter encoded fragments would mask ordinary text by chance. */
const MIN_ENCODED_LENGTH = 8

const NAMED_ENTITIES: Record<string, string[]> = {
  '.': ['&period;'],
  _: ['&lowbar;', '&UnderBar;'],
  '-': ['&hyphen;', '&dash;'],
  '~': ['&Tilde;']
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * One character of a secret in any way a text can carry it: as is, Markdown-escaped
 * (`\.`), percent-encoded, as an HTML entity, or as a JSON `\u` escape; so that a secret
 * written with any mix of these is found. A deploy token's characters are ASCII letters,
 * digits and `._~-` (inputs.ts refuses others), each one JSON `\u` escape long.
 */
function characterPattern(character: string): string {
  const code = character.codePointAt(0)!
  const hex = code.toString(16)
  const alternatives = [
    `\\\\?${escapeRegExp(character)}`,
    `%${hex.padStart(2, '0')}`,
    `&#0*${code};`,
    `&#x0*${hex};`,
    ...(NAMED_ENTITIES[character] ?? []).map(escapeRegExp),
    `\\\\u${hex.padStart(4, '0')}`
  ]
  return `(?:${alternatives.join('|')})`
}

/**
 * The base64 encodings of the secret wherever it starts in the encoded data (the first
 * and last characters, which depend on the bytes around it, left out), in the standard
 * and the URL-safe alphabets.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms = new Set<string>()
  for (const offset of BASE64_OFFSETS) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64')
    const core = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + bytes.length) * 8) / 6))
    if (core.length < MIN_ENCODED_LENGTH) continue
    forms.add(core)
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'))
  }
  return [...forms]
}

/**
 * The exact strings the runner should mask too (it masks line by line what it is told).
 * A token's characters are all unreserved in URLs, so its URI form is itself.
 */
export function secretForms(secret: string): string[] {
  return [...new Set([secret, Buffer.from(secret, 'utf8').toString('base64'), ...base64Forms(secret)])]
}

export type Redactor = (text: string) => string

/**
 * Replaces every form of the secrets (see characterPattern and base64Forms) with MASK,
 * also with what a reader's eye skips between their characters (SKIPPED_BETWEEN): every
 * sink masks its final text, after any wrap, cut or escape.
 */
export function createRedactor(secrets: string[]): Redactor {
  const patterns = secrets
    .filter((secret) => secret.length > 0)
    .flatMap((secret) => [
      [...secret].map(characterPattern).join(SKIPPED_BETWEEN),
      // The whole encoding first, padding included, then the parts that survive any neighbours.
      `${escapeRegExp(Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, ''))}=*`,
      ...base64Forms(secret).map(escapeRegExp)
    ])
  if (patterns.length === 0) return (text) => text
  // Case-insensitive: hex digits come back in either case; other case variants are masked too.
  const pattern = new RegExp(patterns.join('|'), 'gi')
  return (text) => text.replace(pattern, MASK)
}

/**
 * Server text as parsed: every string in a decoded JSON value, object keys included,
 * without invisible characters (plain-text.ts), then masked. Objects come back without a
 * prototype, so that a key such as `__proto__` is data like any other.
 */
export function redactJson(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(withoutInvisible(value))
  if (Array.isArray(value)) return value.map((item) => redactJson(item, redact))
  if (typeof value !== 'object' || value === null) return value
  const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>
  for (const [key, item] of Object.entries(value)) copy[redact(withoutInvisible(key))] = redactJson(item, redact)
  return copy
}
