import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from '@jest/globals'
import { gitRefsReader, MAX_REFS_BYTES, RefsUnavailable } from '../../src/engine/git-http.js'
import { createRedactor } from '../../src/engine/redact.js'
import { SimulatedRepositories } from '../../dev/simulator/git.js'
import { startWebServer } from '../helpers/web-server.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const read = gitRefsReader('toolforge-deploy-action/test', createRedactor(['0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b']))
const request = (wantHead = false) => ({ wantHead, timeoutMs: 5_000, signal: new AbortController().signal })
const refused = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(RefsUnavailable)
  return (error as Error).message
}

describe('gitRefsReader', () => {
  test('asks a smart server once, for info/refs, with nothing but a User-Agent', async () => {
    const repositories = new SimulatedRepositories()
    const web = await startWebServer((path) => {
      const answer = repositories.answer(path.replace(/^\/git\//, ''))
      return answer ? { ...answer, body: answer.body } : { status: 404 }
    })
    try {
      const { refs, truncated } = await read(`${web.url}/git/app.git`, request(true))
      expect(refs).toEqual([
        { name: 'HEAD', sha: repositories.commitOf('app') },
        { name: 'refs/heads/main', sha: repositories.commitOf('app') }
      ])
      expect(truncated).toBe(false)
      expect(web.requests.map((r) => r.path)).toEqual(['/git/app.git/info/refs?service=git-upload-pack'])
      expect(Object.keys(web.requests[0]!.headers).sort()).toEqual(['connection', 'host', 'user-agent'])
    } finally {
      await web.close()
    }
  })

  test('reads a dumb server’s info/refs file, and its HEAD file only when the ref could be HEAD', async () => {
    const web = await startWebServer((path) =>
      path.endsWith('/info/refs?service=git-upload-pack')
        ? { status: 200, body: `${B}\trefs/heads/main\n` }
        : path.endsWith('/HEAD')
          ? { status: 200, body: 'ref: refs/heads/main\n' }
          : { status: 404 }
    )
    try {
      expect((await read(`${web.url}/app.git/`, request(false))).refs).toEqual([{ name: 'refs/heads/main', sha: B }])
      expect((await read(`${web.url}/app.git`, request(true))).refs[0]).toEqual({ name: 'HEAD', sha: B })
      expect(web.requests.map((r) => r.path)).toEqual([
        '/app.git/info/refs?service=git-upload-pack',
        '/app.git/info/refs?service=git-upload-pack',
        '/app.git/HEAD'
      ])
    } finally {
      await web.close()
    }
  })

  test('follows a redirect on the same host, as GitLab’s from a name without .git; never to another host', async () => {
    const web = await startWebServer((path) =>
      path === '/group/app/info/refs?service=git-upload-pack'
        ? { status: 301, headers: { location: '/group/app.git/info/refs?service=git-upload-pack' } }
        : path === '/group/app.git/info/refs?service=git-upload-pack'
          ? { status: 200, body: `${A}\trefs/heads/main\n` }
          : path === '/elsewhere/info/refs?service=git-upload-pack'
            ? { status: 302, headers: { location: 'https://other.invalid/app.git/info/refs' } }
            : { status: 404 }
    )
    try {
      expect((await read(`${web.url}/group/app`, request())).refs).toEqual([{ name: 'refs/heads/main', sha: A }])
      expect(await refused(read(`${web.url}/elsewhere`, request()))).toBe('redirected to another host (other.invalid)')
      expect(web.requests.map((r) => r.path)).not.toContain('/app.git/info/refs')
    } finally {
      await web.close()
    }
  })

  test('a private repository, a missing one, and a page that is not refs say why', async () => {
    const web = await startWebServer((path) =>
      path.startsWith('/private/')
        ? { status: 401 }
        : path.startsWith('/login/')
          ? { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in</html>' }
          : { status: 404 }
    )
    try {
      expect(await refused(read(`${web.url}/private/app.git`, request()))).toBe(
        'HTTP 401: the repository is private or needs credentials'
      )
      expect(await refused(read(`${web.url}/missing.git`, request()))).toBe('HTTP 404: no such repository')
      expect(await refused(read(`${web.url}/login/app.git`, request()))).toBe('the answer is not a list of git refs')
    } finally {
      await web.close()
    }
  })

  test('sends nothing for plain http:// off this machine, another scheme, or credentials in the address', async () => {
    expect(await refused(read('http://git.example.invalid/app.git', request()))).toBe(
      'only https:// repositories are asked, not plain http://'
    )
    expect(await refused(read('git://git.example.invalid/app.git', request()))).toBe(
      'only https:// repositories are asked, not git://'
    )
    expect(await refused(read('https://user:secret@git.example.invalid/app.git', request()))).toBe(
      'the address carries credentials, which are never sent'
    )
    expect(await refused(read('not a url', request()))).toBe('not a URL')
  })

  test('reads at most MAX_REFS_BYTES of a long list, and says it was cut', async () => {
    const line = (i: number) => `${A}\trefs/tags/t${String(i).padStart(8, '0')}\n`
    const body = Array.from({ length: Math.ceil((MAX_REFS_BYTES * 1.5) / line(0).length) }, (_, i) => line(i)).join('')
    const web = await startWebServer(() => ({ status: 200, body }))
    try {
      const { refs, truncated } = await read(`${web.url}/big.git`, request())
      expect(truncated).toBe(true)
      expect(refs.length).toBe(Math.floor(MAX_REFS_BYTES / line(0).length))
    } finally {
      await web.close()
    }
  })

  test('a server that does not answer in time, or a cancelled run, ends the read', async () => {
    const server = createServer(() => {})
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app.git`
    try {
      expect(
        await refused(read(url, { wantHead: false, timeoutMs: 1_000, signal: new AbortController().signal }))
      ).toBe('no answer within 1s')
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 100)
      expect(await refused(read(url, { wantHead: false, timeoutMs: 10_000, signal: controller.signal }))).toBe(
        'interrupted'
      )
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
