import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { runCli } from '../../dev/support/run-cli.js'
import { expectNoToken } from '../helpers/leaks.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
let tarball: string
let home: string

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'new-user-'))
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', home], { cwd: root, encoding: 'utf8' })
  ) as Array<{
    filename: string
    files: Array<{ path: string }>
  }>
  tarball = join(home, packed[0]!.filename)
  ;(globalThis as { packedFiles?: string[] }).packedFiles = packed[0]!.files.map((file) => file.path).sort()
}, 60_000)

/** The packed command as npx runs it for a new user: a fresh npm cache, nothing installed. */
function runPacked(args: string[], env: Record<string, string>) {
  const work = mkdtempSync(join(home, 'job-'))
  return runCli(args, {
    command: ['npx', '--yes', '--package', tarball, 'toolforge-deploy'],
    cwd: work,
    env: { HOME: home, npm_config_cache: join(home, 'npm-cache'), npm_config_update_notifier: 'false', ...env }
  })
}

describe('the packed command, as a new user meets it', () => {
  test('the package holds only what the command needs', () => {
    expect((globalThis as { packedFiles?: string[] }).packedFiles).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'dist/cli/index.js',
      'dist/cli/index.js.map',
      'dist/cli/licenses.txt',
      'dist/cli/package.json',
      'package.json'
    ])
  })

  test(
    'npx runs it: it deploys and never shows the token',
    withSimulator('single', async ({ url }) => {
      const run = await runPacked(['--tool', 'mytool', '--api-url', url, '--check', 'off'], {
        TOOLFORGE_DEPLOY_TOKEN: TOKEN
      })
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^✔ mytool deployed \S+ in \d+s → /m)
      // Run outside any git checkout: git, asked for the description, keeps its complaint to itself.
      expect(run.stderr).not.toContain('not a git repository')
      expectNoToken(run.stdout + run.stderr, TOKEN)
    }),
    60_000
  )

  test(
    'npx runs it: a refused token exits 4, and is never shown',
    withSimulator('single', async ({ url }) => {
      const run = await runPacked(['--tool', 'mytool', '--api-url', url, '--check', 'off'], {
        TOOLFORGE_DEPLOY_TOKEN: 'not.the_token~at-all'
      })
      expect(run.code).toBe(4)
      expectNoToken(run.stdout + run.stderr, 'not.the_token~at-all')
    }),
    60_000
  )
})
