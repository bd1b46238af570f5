import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tokenForms } from '../../dev/support/leaks.js'

const DEPLOY_ID = '20261128-120000-echoechoe1'

/**
 * Characters a reader's eye skips, or a terminal acts on, put between the token's letters:
 * each passes a mask that looks for the token as it is, and closes up once a later step
 * removes or hides it.
 */
const BETWEEN_LETTERS = ['\u0001', '\u001b', '\u0085', '\u200b', '\u202e', '\u2060', '\ufeff', '\t', '\n']

/** What a terminal would act on: an OSC 8 link, clear-screen, a bell, a C1 CSI, a bidi override, a GitLab section. */
export const TERMINAL_CONTROLS =
  '\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007 \u001b[2J\u0007 \u009b31m \u202edesrever \u001b[0Ksection_start:1:fake\r\u001b[0K'

/** Every form of the token, its letters apart, and its JSON `\u` escapes as raw JSON text would carry them. */
function echoes(token: string): string {
  const apart = BETWEEN_LETTERS.map((between) => [...token].join(between))
  return `${[...tokenForms(token), ...apart].join(' | ')} | ${JSON.stringify(token).slice(1, -1)} | ${TERMINAL_CONTROLS}`
}

/**
 * A hostile Components API: every text it sends (messages, statuses, component names,
 * ids, images, error pages, headers) repeats the token the client sent, in every form,
 * some of them only visible once the JSON is decoded. The deployment fails after a
 * gateway error, so that every channel of a report is used. With `conflict`, every
 * creation is refused with a 409 that says all of it.
 */
export async function startEchoServer(
  options: { conflict?: boolean } = {}
): Promise<{ url: string; close(): Promise<void> }> {
  let reads = 0
  const server: Server = createServer((req, res) => {
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? ''
    const echo = echoes(token)
    const escaped = [...token].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, {
        'content-type': `${type}; echo=${encodeURIComponent(token)}`,
        'x-echo': encodeURIComponent(token)
      })
      res.end(body)
    }
    req.resume()
    if (options.conflict && req.method === 'POST') {
      return send(
        409,
        JSON.stringify({ messages: { info: [], warning: [], error: [`There's already 1 running ${echo}`] } })
      )
    }
    if (req.method === 'GET' && reads++ === 0)
      return send(503, `<html><body>503 for ${echo}</body></html>`, 'text/html')
    const component = `web-${token}`
    const data = {
      deploy_id: DEPLOY_ID,
      creation_time: '20261128-120000',
      description: `deployed with ${echo}`,
      builds: {
        [component]: {
          build_id: `b-${token}`,
          build_status: 'failed',
          build_image: `img/${token}:latest`,
          build_long_status: `build ${echo}`
        }
      },
      runs: { [component]: { run_status: 'skipped', run_long_status: `run ${echo}` } },
      status: req.method === 'POST' ? 'pending' : 'failed',
      long_status: `Got exception: ${echo}`,
      force_build: false,
      force_run: false
    }
    // The raw JSON also carries the token as \u escapes, which only decoding reveals.
    const body = JSON.stringify({
      data,
      messages: { info: [`info ${echo}`], warning: [`warning ${echo}`], error: [] }
    }).replace('"info ', `"info ${escaped} `)
    send(200, body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
