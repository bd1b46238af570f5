import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import * as validator from '@action-validator/core'
import { VERSION } from '../src/version.js'

const root = new URL('../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

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

  test.each(readdirSync(new URL('.github/workflows/', root)).filter((name) => name.endsWith('.yml')))('workflow %s is valid', (name) => {
    const result = validator.validateWorkflow(read(`.github/workflows/${name}`))
    expect(result.errors).toEqual([])
  })

  test('dist/ is the bundle of the committed src/ (rebuild with npm run build)', () => {
    const out = mkdtempSync(join(tmpdir(), 'dist-check-'))
    try {
      // The package's own build script, writing elsewhere.
      const script = (JSON.parse(read('package.json')) as { scripts: { build: string } }).scripts.build.split(' ')
      expect(script[0]).toBe('ncc')
      const args = script.slice(1).map((arg, i, all) => (all[i - 1] === '-o' ? out : arg))
      const ncc = fileURLToPath(new URL('node_modules/@vercel/ncc/dist/ncc/cli.js', root))
      execFileSync(process.execPath, [ncc, ...args], {
        cwd: fileURLToPath(root),
        stdio: 'pipe'
      })
      for (const file of readdirSync(out)) {
        expect(readFileSync(join(out, file)).equals(readFileSync(new URL(`dist/${file}`, root)))).toBe(true)
      }
      expect(readdirSync(out).sort()).toEqual(readdirSync(new URL('dist/', root)).sort())
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 120_000)

  test('every input and output of action.yml is documented in the README', () => {
    const action = read('action.yml')
    const readme = read('README.md')
    const names = [...action.matchAll(/^ {2}([a-z_-]+):$/gm)].map((match) => match[1]!)
    expect(names.length).toBeGreaterThan(10)
    for (const name of names) expect(readme).toContain(`\`${name}\``)
  })
})
