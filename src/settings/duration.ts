const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const

/**
 * Parses "90", "45s", "30m", "1h30m" into milliseconds; undefined when the text is not
 * one of those forms. Units must come in h, m, s order, each at most once.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim()
  if (/^\d+$/.test(value)) return Number(value) * UNIT_MS.s
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  if (!match || value === '') return undefined
  const [, h = '0', m = '0', s = '0'] = match
  return Number(h) * UNIT_MS.h + Number(m) * UNIT_MS.m + Number(s) * UNIT_MS.s
}

/**
 * Formats milliseconds the way the duration inputs are written, dropping zero trailing
 * units: "1m12s", "30m", "1h30m", "1h00m05s", "0s".
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const units: Array<[number, string]> = [
    [Math.floor(total / 3600), 'h'],
    [Math.floor((total % 3600) / 60), 'm'],
    [total % 60, 's']
  ]
  while (units.length > 1 && units[0]![0] === 0) units.shift()
  while (units.length > 1 && units[units.length - 1]![0] === 0) units.pop()
  return units.map(([n, unit], i) => (i === 0 ? String(n) : String(n).padStart(2, '0')) + unit).join('')
}
