import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface WebRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  at: number
}

/**
 * A tool's web service on 127.0.0.1, for the serving check: `answer` decides the status
 * (and headers) of each request from its path and the time since the server started.
 */
export async function startWebServer(answer: (path: string, ms: number) => { status: number; headers?: Record<string, string> }) {
  const started = Date.now()
  const requests: WebRequest[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    requests.push({ method: req.method ?? '', path, headers: req.headers, at: Date.now() - started })
    const { status, headers = {} } = answer(path, Date.now() - started)
    res.writeHead(status, { 'content-type': 'text/plain', ...headers })
    // A body bigger than any buffer: the check must not wait for it.
    res.write('x'.repeat(64 * 1024))
    res.end()
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
