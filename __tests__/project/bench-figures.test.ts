import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { renderPlot } from '../../dev/bench/plot.js'
import { blindRange, pairsAboveFloor, tableRow } from '../../dev/bench/sweep-report.js'
import { PLOT, RESULTS, type PointResult } from '../../dev/bench/sweep.js'
import { ROOT } from '../../dev/support/project-root.js'

/** The sweep's figures are shown as the bench measured them: the plot and the tables are drawn from its results. */
const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as PointResult[]

describe('the committed benchmark figures', () => {
  test('the sweep covers every point on both stand-in sets', () => {
    for (const set of ['shared', 'project'])
      expect(results.filter((r) => r.standIns === set).length).toBeGreaterThanOrEqual(35)
  })

  test('docs/bench-lag.svg is the plot of dev/bench/results.json (npm run bench:plot)', () => {
    expect(readFileSync(PLOT, 'utf8')).toBe(renderPlot(results))
  })

  test('BENCHMARKS.md shows each point’s row as the results give it, its verdict included', () => {
    const benchmarks = readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8')
    for (const result of results) expect(benchmarks).toContain(tableRow(result))
  })

  test('BENCHMARKS.md gives the blind range’s figures as the results give them', () => {
    const figures = blindRange(results)
    expect(figures).toMatch(/^Sweeping every 0\.4 s, \d+% of those runs/)
    expect(readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8')).toContain(figures!)
  })

  test('BENCHMARKS.md counts the checks above the floor pair by pair as the results give them', () => {
    const figures = pairsAboveFloor(results)
    expect(figures).toMatch(/^From 50 ms, \d+ of the \d+ pairs are at most 2 checks above the floor/)
    expect(readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8')).toContain(figures!)
  })
})
