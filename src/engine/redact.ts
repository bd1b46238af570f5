/** What a secret is replaced with, the same marker the runner's own masking uses. */
export const MASK = '***'

/**
 * Every form in which a secret can reach a log through an HTTP exchange: as typed, in a
 * URL path or query (percent-encoded), in a form body (`+` for space), inside a JSON
 * string, and in base64 (as some gateways echo credentials).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ t: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, 'utf8').toString('base64'),
    Buffer.from(secret, 'utf8').toString('base64').replace(/=+$/, '')
  ])
  // Longest first, so that a form containing another is replaced whole.
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length)
}

export type Redactor = (text: string) => string

export function createRedactor(secrets: string[]): Redactor {
  const forms = secrets.filter((secret) => secret.length > 0).flatMap(secretForms)
  if (forms.length === 0) return (text) => text
  // Case-insensitive because percent-encoding may come back with either hex case.
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'gi')
  return (text) => text.replace(pattern, MASK)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
