/** `npm run chaos -- [seed] [count] [concurrency]`: the full seeded chaos run, with figures. */
import { formatReport, runChaos } from './chaos-run.js'

const [seed = '1', count = '200', concurrency = '8'] = process.argv.slice(2)
const options = { seed: Number(seed), count: Number(count), concurrency: Number(concurrency) }
const report = await runChaos(options)
console.log(formatReport(options, report))
process.exitCode = report.wrongOutcomes.length + report.duplicateCreations + report.tokenLeaks > 0 ? 1 : 0
