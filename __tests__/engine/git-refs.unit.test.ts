import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { gitEnv } from '../../dev/support/git-env.js'
import {
  globMatches,
  mayMatchHead,
  parseAdvertisement,
  parseHeadFile,
  refMatcher,
  resolveRef,
  type AdvertisedRef
} from '../../src/engine/git-refs.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)
const pkt = (text: string) => `${(Buffer.byteLength(text) + 4).toString(16).padStart(4, '0')}${text}`
const SMART = 'application/x-git-upload-pack-advertisement'

describe('parseAdvertisement: the smart protocol', () => {
  test('reads the refs after the service line, HEAD with its capabilities, and an annotated tag with its commit', () => {
    const body =
      pkt('# service=git-upload-pack\n') +
      '0000' +
      pkt(`${A} HEAD\0multi_ack symref=HEAD:refs/heads/main agent=git/2\n`) +
      pkt(`${A} refs/heads/main\n`) +
      pkt(`${B} refs/tags/v1\n`) +
      pkt(`${C} refs/tags/v1^{}\n`) +
      '0000'
    expect(parseAdvertisement(Buffer.from(body), `${SMART}; charset=utf-8`)).toEqual({
      refs: [
        { name: 'HEAD', sha: A },
        { name: 'refs/heads/main', sha: A },
        { name: 'refs/tags/v1', sha: B, peeled: C }
      ]
    })
  })

  test('a server error line is an error with its text; what is not pkt-lines is refused', () => {
    expect(
      parseAdvertisement(Buffer.from(pkt('# service=git-upload-pack\n') + '0000' + pkt('ERR access denied\n')), SMART)
    ).toEqual({ error: 'the server said: access denied' })
    expect(parseAdvertisement(Buffer.from('<html>login</html>'), SMART)).toEqual({
      error: 'the answer is not in git pkt-lines'
    })
  })

  test('an empty repository has no refs', () => {
    const body =
      pkt('# service=git-upload-pack\n') + '0000' + pkt(`${'0'.repeat(40)} capabilities^{}\0agent=git/2\n`) + '0000'
    expect(parseAdvertisement(Buffer.from(body), SMART)).toEqual({ refs: [] })
  })

  test('a line cut off by the size limit ends the list; the lines before it count', () => {
    const body =
      pkt('# service=git-upload-pack\n') +
      '0000' +
      pkt(`${A} refs/heads/main\n`) +
      pkt(`${B} refs/heads/main-old\n`).slice(0, 30)
    expect(parseAdvertisement(Buffer.from(body), SMART)).toEqual({ refs: [{ name: 'refs/heads/main', sha: A }] })
  })
})

describe('parseAdvertisement: the dumb protocol', () => {
  test('reads the info/refs file, HEAD from the HEAD file first', () => {
    const body = `${A}\trefs/heads/main\n${B}\trefs/tags/v1\n${C}\trefs/tags/v1^{}\n`
    expect(parseAdvertisement(Buffer.from(body), 'text/plain', { symref: 'refs/heads/main' })).toEqual({
      refs: [
        { name: 'HEAD', sha: A },
        { name: 'refs/heads/main', sha: A },
        { name: 'refs/tags/v1', sha: B, peeled: C }
      ]
    })
    const detached = parseAdvertisement(Buffer.from(body), undefined, { sha: C })
    expect('refs' in detached && detached.refs[0]).toEqual({ name: 'HEAD', sha: C })
  })

  test('a line cut off by the size limit is left out: it could name another ref', () => {
    const body = `${A}\trefs/heads/main\n${B}\trefs/heads/main-old\n`
    const cut = Buffer.from(body).subarray(0, body.length - 5)
    expect(parseAdvertisement(cut, 'text/plain', undefined, true)).toEqual({
      refs: [{ name: 'refs/heads/main', sha: A }]
    })
  })

  test('a page that is not a list of refs (a login form) is an error, not an empty repository', () => {
    expect(parseAdvertisement(Buffer.from('<!DOCTYPE html><title>Sign in</title>'), 'text/html')).toEqual({
      error: 'the answer is not a list of git refs'
    })
    expect(parseAdvertisement(Buffer.from(''), 'text/plain')).toEqual({ refs: [] })
  })

  test('the HEAD file names a branch, or a commit when detached', () => {
    expect(parseHeadFile('ref: refs/heads/main\n')).toEqual({ symref: 'refs/heads/main' })
    expect(parseHeadFile(`${A}\n`)).toEqual({ sha: A })
    expect(parseHeadFile('<html>')).toBeUndefined()
  })
})

describe('resolveRef: as ls-remote matches', () => {
  const refs: AdvertisedRef[] = [
    { name: 'HEAD', sha: A },
    { name: 'refs/heads/feature/main', sha: C },
    { name: 'refs/heads/main', sha: A },
    { name: 'refs/heads/xmain', sha: B },
    { name: 'refs/tags/main', sha: B },
    { name: 'refs/tags/v1', sha: B, peeled: C }
  ]
  test('a name matches every ref ending in "/" and it, and the first listed wins', () => {
    expect(resolveRef(refs, 'main')).toBe(C)
    expect(resolveRef(refs, 'heads/main')).toBe(A)
    expect(resolveRef(refs, 'refs/heads/main')).toBe(A)
    expect(resolveRef(refs, 'HEAD')).toBe(A)
    expect(resolveRef(refs, 'nope')).toBeUndefined()
  })
  test('an annotated tag resolves to its commit', () => {
    expect(resolveRef(refs, 'v1')).toBe(C)
  })
  test('* and ? match any characters, "/" too; everything else is literal', () => {
    expect(refMatcher('v*')('refs/tags/v1')).toBe(true)
    expect(refMatcher('ma?n')('refs/heads/main')).toBe(true)
    expect(refMatcher('m.in')('refs/heads/main')).toBe(false)
    expect(mayMatchHead('HEAD')).toBe(true)
    expect(mayMatchHead('*')).toBe(true)
    expect(mayMatchHead('main')).toBe(false)
  })
  test('a wildcard pattern from the server is matched without backtracking blow-up (it took 11 minutes as a regular expression)', () => {
    const refs: AdvertisedRef[] = [{ name: `refs/heads/${'a'.repeat(80)}`, sha: A }]
    const hostile = '*a*a*a*a*a*a*a*a*!'
    for (let i = 0; i < 200; i++) expect(resolveRef(refs, hostile)).toBeUndefined()
    expect(resolveRef(refs, '*a*a*a*a*a*a*a*a*')).toBe(A)
    expect(globMatches(`${'*a'.repeat(100)}*b`, 'a'.repeat(5_000))).toBe(false)
  })
  test.each([
    ['*', '', true],
    ['*', 'abc', true],
    ['a*', 'a', true],
    ['a*a', 'a', false],
    ['*a*a', 'aa', true],
    ['*a*a', 'a', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['*/main', '/refs/heads/main', true],
    ['*/main', '/refs/heads/xmain', false],
    ['*b?d*', 'abcdef', true],
    ['*b?d*', 'abxxd', false],
    ['ab*cd*ef', 'abcdcdef', true],
    ['ab*cd*ef', 'abcdef', true],
    ['ab*cd*ef', 'abcef', false],
    ['a.c', 'abc', false],
    ['[ab]', '[ab]', true]
  ])('globMatches(%j, %j) is %j, as wildmatch without WM_PATHNAME', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected)
  })
})

describe('resolveRef against git ls-remote itself, on a repository served as dumb HTTP serves it', () => {
  let dir: string
  const git = (args: string[], cwd = join(dir, 'src')) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: gitEnv({ GIT_CONFIG_NOSYSTEM: '1', HOME: dir })
    })
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'git-refs-'))
    execFileSync('git', ['init', '-q', '-b', 'main', join(dir, 'src')])
    writeFileSync(join(dir, 'src', 'a'), '1')
    git(['add', '.'])
    git(['commit', '-qm', 'one'])
    git(['tag', '-a', '-m', 'release', 'v1'])
    git(['tag', 'light'])
    git(['branch', 'feature/main'])
    writeFileSync(join(dir, 'src', 'a'), '2')
    git(['commit', '-qam', 'two'])
    git(['branch', 'release/v1'])
    git(['tag', 'main'])
    git(['clone', '-q', '--bare', join(dir, 'src'), join(dir, 'app.git')], dir)
    git(['update-server-info'], join(dir, 'app.git'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test.each(['main', 'HEAD', 'v1', 'light', 'feature/main', 'heads/main', 'tags/main', 'v*', 'release/*', 'nope'])(
    '%s',
    (ref) => {
      const bare = join(dir, 'app.git')
      const head = parseHeadFile(readFileSync(join(bare, 'HEAD'), 'utf8'))
      const advertised = parseAdvertisement(readFileSync(join(bare, 'info', 'refs')), 'text/plain', head)
      if ('error' in advertised) throw new Error(advertised.error)
      const listed = git(['ls-remote', bare, ref], dir).split('\n')[0]!.split('\t')[0]
      // Toolforge takes ls-remote's first commit; the action names the commit an annotated tag points to.
      const expected = listed ? git(['rev-parse', `${listed}^{commit}`], bare).trim() : undefined
      expect(resolveRef(advertised.refs, ref)).toBe(expected)
    }
  )
})
