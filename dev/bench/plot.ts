/**
 * The sweep's plot: median lag against the stand-in services' latency, one line per build
 * length, the shell loops beside them and the goal band shaded, one panel per stand-in
 * set. Drawn from the bench's own results (dev/bench/results.json) as plain SVG.
 */
import { medianLagGoalMs, summary } from './goals.js'
import type { PointResult, StandIns } from './sweep.js'

const PANEL = { width: 430, height: 300, left: 52, right: 12, top: 34, bottom: 42 }
const Y_MIN_S = 0.01
const Y_MAX_S = 10
const X_MAX_MS = 300

interface Series {
  label: string
  colour: string
  dashed?: boolean
  points: Array<{ latencyMs: number; lagS: number }>
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function seriesOf(results: PointResult[]): Series[] {
  const plain = results.filter((r) => !r.point.behind && !r.point.busy)
  const line = (
    label: string,
    colour: string,
    pick: (r: PointResult) => boolean,
    poller: 'action' | 'sleep 1' | 'sleep 10',
    dashed = false
  ): Series => ({
    label,
    colour,
    dashed,
    points: plain
      .filter(pick)
      .map((r) => ({ latencyMs: r.point.latencyMs, lagS: summary(r.samples[poller]).medianLagMs / 1000 }))
      .sort((a, b) => a.latencyMs - b.latencyMs)
  })
  const builds = [5, 20, 60, 180]
  const colours = ['#7b3294', '#0571b0', '#1a9641', '#d7191c']
  return [
    ...builds.map((buildS, i) =>
      line(
        `action, ${buildS} s builds`,
        colours[i]!,
        (r) => r.point.buildS === buildS && r.point.jitterMs === 0,
        'action'
      )
    ),
    line(
      'action, 20 s builds, ±⅓ jitter',
      colours[1]!,
      (r) => r.point.buildS === 20 && r.point.jitterMs > 0,
      'action',
      true
    ),
    line('sleep 1 loop, 20 s builds', '#777777', (r) => r.point.buildS === 20 && r.point.jitterMs === 0, 'sleep 1'),
    line(
      'sleep 10 loop, 20 s builds',
      '#777777',
      (r) => r.point.buildS === 20 && r.point.jitterMs === 0,
      'sleep 10',
      true
    )
  ].filter((s) => s.points.length > 0)
}

function panel(standIns: StandIns, results: PointResult[], offsetX: number): string {
  const plotW = PANEL.width - PANEL.left - PANEL.right
  const plotH = PANEL.height - PANEL.top - PANEL.bottom
  const x = (ms: number) => offsetX + PANEL.left + (ms / X_MAX_MS) * plotW
  const y = (s: number) => {
    const clamped = Math.min(Y_MAX_S, Math.max(Y_MIN_S, s))
    return PANEL.top + (1 - Math.log10(clamped / Y_MIN_S) / Math.log10(Y_MAX_S / Y_MIN_S)) * plotH
  }
  const parts: string[] = []
  const zero = results.find((r) => r.point.latencyMs === 0)
  const atZero = zero ? medianLagGoalMs(zero.point) / 1000 : 0.2
  const beyond = medianLagGoalMs({ latencyMs: 1, jitterMs: 0 }) / 1000
  // The goal band: under 0.2 s at latency 0, under 0.4 s beyond.
  parts.push(
    `<path d="M${x(0)},${y(Y_MIN_S)} L${x(0)},${y(atZero)} L${x(12.5)},${y(atZero)} L${x(12.5)},${y(beyond)} L${x(X_MAX_MS)},${y(beyond)} L${x(X_MAX_MS)},${y(Y_MIN_S)} Z" fill="#e6f5e1"/>`
  )
  for (const s of [0.01, 0.1, 1, 10]) {
    parts.push(`<line x1="${x(0)}" x2="${x(X_MAX_MS)}" y1="${y(s)}" y2="${y(s)}" stroke="#dddddd"/>`)
    parts.push(`<text x="${x(0) - 6}" y="${y(s) + 4}" text-anchor="end">${s} s</text>`)
  }
  for (let ms = 0; ms <= X_MAX_MS; ms += 50)
    parts.push(`<text x="${x(ms)}" y="${PANEL.height - PANEL.bottom + 16}" text-anchor="middle">${ms}</text>`)
  parts.push(
    `<text x="${offsetX + PANEL.left + plotW / 2}" y="${PANEL.height - 8}" text-anchor="middle">each build and jobs call delayed by (ms)</text>`
  )
  parts.push(
    `<text x="${offsetX + PANEL.left + plotW / 2}" y="18" text-anchor="middle" font-weight="bold">${escape(standIns === 'shared' ? 'shared stand-ins (fake_backends.py)' : "the project's stand-ins (stand-ins.ts)")}</text>`
  )
  parts.push(`<rect x="${x(0)}" y="${PANEL.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999999"/>`)
  for (const series of seriesOf(results)) {
    const d = series.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.latencyMs).toFixed(1)},${y(p.lagS).toFixed(1)}`)
    parts.push(
      `<path d="${d.join(' ')}" fill="none" stroke="${series.colour}" stroke-width="1.8"${series.dashed ? ' stroke-dasharray="5 3"' : ''}/>`
    )
    for (const p of series.points)
      parts.push(
        `<circle cx="${x(p.latencyMs).toFixed(1)}" cy="${y(p.lagS).toFixed(1)}" r="2.2" fill="${series.colour}"/>`
      )
  }
  return parts.join('\n')
}

/** The whole figure: a panel per stand-in set that has results, and one legend. */
export function renderPlot(results: PointResult[]): string {
  const sets = (['shared', 'project'] as const).filter((set) => results.some((r) => r.standIns === set))
  const width = PANEL.width * Math.max(1, sets.length)
  const legend = seriesOf(results)
  const legendRows = Math.ceil(legend.length / 2)
  const height = PANEL.height + 18 * legendRows + 30
  const body = sets.map((set, i) =>
    panel(
      set,
      results.filter((r) => r.standIns === set),
      i * PANEL.width
    )
  )
  const items = legend.map((series, i) => {
    const lx = 20 + (i % 2) * (width / 2)
    const ly = PANEL.height + 14 + Math.floor(i / 2) * 18
    return `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${series.colour}" stroke-width="1.8"${series.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${lx + 32}" y="${ly + 4}">${escape(series.label)}</text>`
  })
  const band = `<rect x="20" y="${height - 22}" width="26" height="10" fill="#e6f5e1"/><text x="52" y="${height - 13}">the goal for the median lag (0.2 s at latency 0, 0.4 s beyond; 0.5 s with jitter)</text>`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    ...items,
    band,
    '</svg>',
    ''
  ].join('\n')
}
