/**
 * `npm run mutation`: Stryker on src/engine and src/report against the unit tests
 * (stryker.config.mjs). Stryker 10 needs Node 22 or later, so it runs on Node 24 from
 * dev/support/node24 (runtimes.ts), from its own lockfile in dev/mutation/stryker (both installed
 * when missing). The score per file is printed, and added to the job summary in CI; the run
 * fails when a file is under the bar of its folder (mutation-score.ts). The HTML report
 * goes outside the repository (MUTATION_REPORT_DIR, by default a folder in the system's
 * temporary folder).
 */
import { spawnSync } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { scoreByFile, scoreTable, type MutationReport } from './mutation-score.js'
import { ROOT } from '../support/project-root.js'
import { actionNode } from '../support/runtimes.js'

function install(folder: string): void {
  if (existsSync(join(ROOT, folder, 'node_modules'))) return
  const result = spawnSync('npm', ['ci', '--prefix', folder, '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: 'inherit'
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

install('dev/mutation/stryker')
const stryker = join(
  ROOT,
  'dev',
  'mutation',
  'stryker',
  'node_modules',
  '@stryker-mutator',
  'core',
  'bin',
  'stryker.js'
)
const result = spawnSync(actionNode(), [stryker, 'run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' })
if (result.status !== 0) process.exit(result.status ?? 1)

// The same folder stryker.config.mjs writes to.
const reportDir = process.env.MUTATION_REPORT_DIR ?? join(tmpdir(), 'toolforge-deploy-mutation')
const scores = scoreByFile(JSON.parse(readFileSync(join(reportDir, 'mutation.json'), 'utf8')) as MutationReport, ROOT)
const table = scoreTable(scores)
console.log(`\n${table}\n\nHTML report: ${join(reportDir, 'mutation.html')}`)
if (process.env.GITHUB_STEP_SUMMARY)
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## Mutation score per file\n\n${table}\n`)
const under = scores.filter((s) => s.percent < s.required)
if (under.length > 0) {
  console.error(
    `under the bar: ${under.map((s) => `${s.file} ${s.percent.toFixed(1)} % (needs ${s.required} %)`).join(', ')}`
  )
  process.exit(1)
}
