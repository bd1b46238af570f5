import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface WebRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  at: number
}

/**
 * A web server on 127.0.0.1, for the serving check or as a git host: `answer` decides the
 * status, headers and body of each request from its path and the time since the server
 * started.
 */
export async function startWebServer(
  answer: (path: string, ms: number) => { status: number; headers?: Record<string, string>; body?: string | Buffer }
) {
  const started = Date.now()
  const requests: WebRequest[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    requests.push({ method: req.method ?? '', path, headers: req.headers, at: Date.now() - started })
    const { status, headers = {}, body } = answer(path, Date.now() - started)
    res.writeHead(status, { 'content-type': 'text/plain', ...headers })
    // Without one, a body bigger than any buffer: the check must not wait for it.
    res.end(body ?? 'x'.repeat(64 * 1024))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    /** A TOOLFORGE_TOOL_URL that points every tool at this server. */
    toolUrl: `${url}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
