import { expect, test } from '@jest/globals'
import { formatReport, runChaos } from '../../dev/demo/chaos-run.js'

test('a short seeded chaos run: right outcomes, one creation each, no token anywhere', async () => {
  const options = { seed: 7, count: 16, concurrency: 8 }
  const report = await runChaos(options)
  process.stdout.write(`${formatReport(options, report)}\n`)
  expect(report.runs).toBe(16)
  expect(report.faultsInjected).toBeGreaterThan(0)
  expect(report.wrongOutcomes).toEqual([])
  expect(report.duplicateCreations).toBe(0)
  expect(report.tokenLeaks).toBe(0)
}, 120_000)
