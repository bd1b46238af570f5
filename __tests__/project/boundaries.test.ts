import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { ESLint } from 'eslint'

const root = fileURLToPath(new URL('../../', import.meta.url))
const eslint = new ESLint({ cwd: root })

async function restrictions(folder: string, specifier: string): Promise<string[]> {
  const code = `import * as imported from '${specifier}'\nexport const used = imported\n`
  const [result] = await eslint.lintText(code, { filePath: `${root}src/${folder}/probe.ts` })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

const FORBIDDEN: Array<[string, string]> = [
  ['settings', '../engine/deploy.js'],
  ['settings', '../report/summary.js'],
  ['settings', '@actions/http-client'],
  ['engine', '../report/summary.js'],
  ['engine', '../action/main.js'],
  ['engine', '../cli/run.js'],
  ['engine', '@actions/core'],
  ['report', '../action/reporter.js'],
  ['report', '../cli/reporter.js'],
  ['report', '@actions/core'],
  ['report', '@actions/http-client/lib/interfaces'],
  ['cli', '../action/main.js'],
  ['cli', '@actions/core'],
  ['action', '../cli/args.js'],
  ['report', '../run/run-flow.js'],
  ['run', '../action/main.js'],
  ['run', '../cli/run.js'],
  ['run', '@actions/core'],
  ['engine', '../../dev/simulator/api.js'],
  ['action', '../../dev/support/run-bundle.js'],
  ['settings', '../../dev/fixtures/settings.js']
]

const ALLOWED: Array<[string, string]> = [
  ['engine', './status.js'],
  ['engine', '../settings/settings.js'],
  ['engine', '@actions/http-client'],
  ['report', '../engine/status.js'],
  ['report', '../settings/duration.js'],
  ['cli', '../report/summary.js'],
  ['action', '@actions/core'],
  ['action', '../report/narrator.js'],
  ['action', '../run/run-flow.js'],
  ['cli', '../run/run-flow.js'],
  ['run', '../engine/live-deploy.js']
]

describe('the layers of src/ are enforced by the lint', () => {
  test.each(FORBIDDEN)('src/%s/ may not import %s', async (folder, specifier) => {
    expect(await restrictions(folder, specifier)).toEqual([expect.stringContaining(`src/${folder}/ must not`)])
  })

  test.each(ALLOWED)('src/%s/ may import %s', async (folder, specifier) => {
    expect(await restrictions(folder, specifier)).toEqual([])
  })
})
