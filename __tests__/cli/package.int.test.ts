import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { runCli } from '../../scripts/run-cli.js'
import { gitlabErrors } from '../helpers/gitlab-schema.js'
import { expectNoToken } from '../helpers/leaks.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const template = parse(readFileSync(join(root, 'templates/toolforge-deploy.gitlab-ci.yml'), 'utf8')) as Record<string, { script?: string[] }>
let tarball: string
let home: string

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'new-user-'))
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', home], { cwd: root, encoding: 'utf8' })) as Array<{
    filename: string
    files: Array<{ path: string }>
  }>
  tarball = join(home, packed[0]!.filename)
  ;(globalThis as { packedFiles?: string[] }).packedFiles = packed[0]!.files.map((file) => file.path).sort()
}, 60_000)

/** The template's script line, run by a shell as GitLab's runner would, with a fresh npm cache. */
function runTemplate(url: string, tool: string, token = TOKEN) {
  const script = template['.toolforge-deploy']!.script![0]!
  const work = mkdtempSync(join(home, 'job-'))
  return runCli([], {
    command: ['sh', '-c', script],
    cwd: work,
    env: {
      HOME: home,
      npm_config_cache: join(home, 'npm-cache'),
      npm_config_update_notifier: 'false',
      TOOLFORGE_DEPLOY_PACKAGE: tarball,
      TOOLFORGE_DEPLOY_ARGS: `--tool ${tool} --api-url ${url} --check off`,
      TOOLFORGE_DEPLOY_TOKEN: token,
      GITLAB_CI: 'true'
    }
  }).then((run) => ({ ...run, dotenv: () => readFileSync(join(work, 'deploy.env'), 'utf8') }))
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

  test('the GitLab template is valid GitLab CI', () => {
    expect(gitlabErrors(template)).toEqual([])
    expect(template.deploy).toMatchObject({ extends: '.toolforge-deploy', rules: [{ if: '$CI_COMMIT_BRANCH == "main"' }] })
  })

  test('the template’s command deploys and writes the dotenv report', withSimulator('single', async ({ url }) => {
    const run = await runTemplate(url, 'mytool')
    expect(run.code).toBe(0)
    expect(run.dotenv()).toMatch(/^DEPLOY_ID=\d{8}-\d{6}-[a-z0-9]{10}\nDEPLOY_STATUS=successful\nDEPLOY_OUTCOME=successful\nDEPLOY_CHECK=skipped\nDEPLOY_URL=http:\/\/127\.0\.0\.1:9\/mytool\/\n$/)
    expect(run.stdout).toContain('section_start:')
    expectNoToken(run.stdout + run.stderr, TOKEN)
  }), 60_000)

  test('the template’s command fails the job when the deployment fails', withSimulator('build-failure', async ({ url }) => {
    const run = await runTemplate(url, 'mytool')
    expect(run.code).toBe(1)
    expect(run.dotenv()).toContain('DEPLOY_STATUS=failed')
  }), 60_000)

  test('the template’s command exits 4 on a refused token, and never shows it', withSimulator('single', async ({ url }) => {
    const run = await runTemplate(url, 'mytool', 'not.the_token~at-all')
    expect(run.code).toBe(4)
    expectNoToken(run.stdout + run.stderr, 'not.the_token~at-all')
  }), 60_000)
})
