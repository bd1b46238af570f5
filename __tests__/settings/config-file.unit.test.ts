import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { ROOT } from '../../dev/support/project-root.js'
import {
  checkConfigFile,
  checkConfigText,
  ConfigFileUnreadable,
  MAX_CONFIG_BYTES
} from '../../src/settings/config-file.js'
import { checkConfig } from '../../src/settings/config-rules.js'

const CORPUS = join(ROOT, 'dev', 'fixtures', 'configs')

describe('the components config check, without a server', () => {
  // The same corpus the differential test gives the real server.
  test.each(readdirSync(CORPUS).sort())('%s: the verdict its name says', (file) => {
    const { errors } = checkConfigFile(file, CORPUS)
    expect(errors.length === 0).toBe(file.startsWith('valid-'))
    for (const problem of errors) expect(problem.line).toBeGreaterThan(0)
  })

  test('each problem is placed at the line and column of the key it concerns', () => {
    const text = readFileSync(join(CORPUS, 'invalid-ssh-repository.yaml'), 'utf8')
    expect(checkConfigText(text, 'components.yaml').errors).toEqual([
      {
        file: 'components.yaml',
        line: 4,
        column: 7,
        message: 'components.web.build.repository: must be a URL (http, https, git), not an ssh address'
      }
    ])
    // A missing key: at the mapping it is missing from. An unknown one: a warning at its own line.
    const missing = checkConfigFile('invalid-missing-command.yaml', CORPUS)
    expect(missing.errors).toEqual([
      { file: 'invalid-missing-command.yaml', line: 6, column: 5, message: 'components.web.run: missing command' }
    ])
    expect(checkConfigFile('valid-unknown-keys.yaml', CORPUS).warnings).toEqual([
      {
        file: 'valid-unknown-keys.yaml',
        line: 9,
        column: 7,
        message: 'components.web.run.replica: unknown key replica: Toolforge skips it'
      }
    ])
  })

  test('a file that is not YAML gets its parser’s line, and nothing else', () => {
    const { errors, warnings } = checkConfigFile('invalid-not-yaml.yaml', CORPUS)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ file: 'invalid-not-yaml.yaml', line: 4 })
    expect(errors[0]!.message).not.toMatch(/at line/)
    expect(warnings).toEqual([])
  })

  test('YAML is read as the server’s PyYAML reads it: version 1.1, the last of repeated keys', () => {
    const config = (run: string) =>
      `components:\n  web:\n    build: {repository: "https://x.org/a", ref: main}\n    run: {${run}}\n`
    expect(checkConfigText(config('command: yes'), 'c.yaml').errors.map((e) => e.message)).toEqual([
      'components.web.run.command: must be text (put it in quotes)'
    ])
    expect(checkConfigText(config('command: "yes"'), 'c.yaml').errors).toEqual([])
    expect(checkConfigText(config('command: x, filelog: on, port: 017'), 'c.yaml').errors).toEqual([])
    expect(
      checkConfigText(
        'components:\n  web: 1\ncomponents:\n  web:\n    build: {reuse_from: web2}\n    run: {command: a}\n  web2:\n    build: {repository: "git://x.org/a", ref: m}\n    run: {command: b}\n',
        'c.yaml'
      ).errors
    ).toEqual([])
  })

  test('the rules follow the server’s, also where they surprise', () => {
    const web = (
      run: Record<string, unknown>,
      build: Record<string, unknown> = { repository: 'https://x.org/a', ref: 'm' },
      extra = {}
    ) => ({ components: { web: { build, run, ...extra } } })
    const errors = (config: unknown) => checkConfig(config).errors.map((e) => `${e.path.join('.')}: ${e.message}`)
    expect(errors(web({ command: 'a', port: '8080', replicas: true }))).toEqual([])
    expect(errors(web({ command: 'a', port: 8080.5 }))).toEqual(['components.web.run.port: must be a whole number'])
    expect(errors(web({ command: 'a', filelog: 2 }))).toEqual(['components.web.run.filelog: must be true or false'])
    expect(errors(web({ command: 'a', port: 80, port_protocol: 'udp', publish: '/' }))).toEqual([
      'components.web.run.publish: needs port_protocol tcp'
    ])
    expect(errors(web({ command: 'a', port: 0, health_check_http: '/h' }))).toEqual([
      'components.web.run.health_check_http: needs a tcp port'
    ])
    // Scheduled in name, yet valid as a continuous component: the server accepts it too.
    expect(errors(web({ command: 'a' }, undefined, { component_type: 'scheduled' }))).toEqual([])
    expect(errors(web({ command: 'a', schedule: '@daily' }, undefined, { component_type: 'cron' }))).toEqual([
      'components.web.component_type: must be "continuous" or "scheduled"'
    ])
    expect(errors(web({ command: 'a' }, { repository: 'ftp://x.org/a', ref: 'm' }))).toEqual([
      'components.web.build.repository: must be a http, https or git URL'
    ])
    expect(errors(web({ command: 'a' }, { ref: 'm' }))).toEqual(['components.web.build: missing repository'])
    expect(
      errors({
        config_version: null,
        source_url: 'ftp://x',
        components: { web: { build: { reuse_from: 'web' }, run: { command: 'a' } } }
      })
    ).toEqual([
      'source_url: must be a http or https URL',
      'components.web.build.reuse_from: names web, which reuses a build itself: name the component that builds from source'
    ])
    expect(errors([])).toEqual([': must be a mapping, with components'])
    expect(errors({ components: [] })).toEqual(['components: must be a mapping of component names to components'])
  })

  test('a file it cannot read is named, with the workspace it was looked for in', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
    mkdirSync(join(workspace, 'dir'))
    expect(() => checkConfigFile('nope.yaml', workspace)).toThrow(
      new ConfigFileUnreadable(`nope.yaml does not exist in the workspace (${workspace})`)
    )
    expect(() => checkConfigFile('dir', workspace)).toThrow(new ConfigFileUnreadable('dir is a directory'))
    expect(() => checkConfigFile('../etc/passwd', workspace)).toThrow(
      new ConfigFileUnreadable(`../etc/passwd is outside the workspace (${workspace})`)
    )
    expect(() => checkConfigFile('/etc/passwd', workspace)).toThrow(ConfigFileUnreadable)
  })

  test('only a regular file inside the workspace, of at most 1 MiB, is read: no link out, no device, no FIFO', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'workspace-'))
    symlinkSync('/etc/passwd', join(workspace, 'passwd.yaml'))
    symlinkSync('/dev/zero', join(workspace, 'zero.yaml'))
    execFileSync('mkfifo', [join(workspace, 'fifo.yaml')])
    writeFileSync(join(workspace, 'big.yaml'), `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`)
    writeFileSync(join(workspace, 'real.yaml'), 'components: {}\n')
    symlinkSync('real.yaml', join(workspace, 'link.yaml'))
    expect(() => checkConfigFile('passwd.yaml', workspace)).toThrow(
      new ConfigFileUnreadable('passwd.yaml is a link to a file outside the workspace')
    )
    expect(() => checkConfigFile('zero.yaml', workspace)).toThrow(
      new ConfigFileUnreadable('zero.yaml is a link to a file outside the workspace')
    )
    expect(() => checkConfigFile('fifo.yaml', workspace)).toThrow(
      new ConfigFileUnreadable('fifo.yaml is not a regular file')
    )
    expect(() => checkConfigFile('big.yaml', workspace)).toThrow(
      new ConfigFileUnreadable(`big.yaml is ${MAX_CONFIG_BYTES + 3} bytes, more than the ${MAX_CONFIG_BYTES} read`)
    )
    // A link that stays inside the workspace is the file it names.
    expect(checkConfigFile('link.yaml', workspace).errors.map((e) => e.message)).toEqual(
      checkConfigFile('real.yaml', workspace).errors.map((e) => e.message)
    )
  })

  test('an alias bomb is refused at the line of its first alias, never expanded', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`
      )
    const bomb = `components: {}\n${levels.join('\n')}\n`
    expect(checkConfigText(bomb, 'bomb.yaml')).toEqual({
      errors: [
        {
          file: 'bomb.yaml',
          line: 3,
          column: 8,
          message: 'more than 100 aliases would be expanded, which no components config needs'
        }
      ],
      warnings: []
    })
  })
})
