import { createServer as createHttpServer } from 'node:http'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * Peers on 127.0.0.1 that misbehave on purpose. `trickle`: accepts, then sends an answer
 * one byte every `everyMs`, never ending: its status line and headers (`headers`), or
 * whole headers and then the body (`body`). Each byte resets a socket's idle timeout.
 */
export async function startTrickle(mode: 'headers' | 'body', contentType = 'text/html', everyMs = 500) {
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    const head = `HTTP/1.1 200 OK\r\ncontent-type: ${contentType}\r\ncontent-length: 100000000\r\n\r\n`
    let sent = mode === 'body' ? head.length : 0
    if (mode === 'body') socket.write(head)
    const filler = mode === 'headers' ? `${head.slice(0, -2)}x-slow: ${'a'.repeat(10_000)}` : 'a'.repeat(100_000_000)
    const timer = setInterval(() => {
      if (socket.destroyed) return clearInterval(timer)
      socket.write(filler[sent++ % filler.length]!)
    }, everyMs)
    timers.add(timer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** How many connections it took. */
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer)
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** A git host that holds each request `holdMs` before refusing it, counting how many it holds at once. */
export async function startSlowGitHost(holdMs = 150) {
  let inFlight = 0
  let most = 0
  const paths: string[] = []
  const server = createHttpServer((req, res) => {
    paths.push(req.url ?? '')
    inFlight += 1
    most = Math.max(most, inFlight)
    setTimeout(() => {
      inFlight -= 1
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('Not Found\n')
    }, holdMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    most: () => most,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Every piece of `length` characters of the token: none may be left in a sink. */
export function tokenPieces(token: string, length = 8): string[] {
  return Array.from({ length: token.length - length + 1 }, (_, i) => token.slice(i, i + length))
}

/**
 * The text as a reader would copy it: without tags (`<wbr>`, also escaped), entities of
 * invisible characters, invisible characters, and the backticks and escapes of Markdown.
 */
export function asRead(text: string): string {
  return (
    text
      .replace(/(?:<|&lt;|&amp;lt;)\/?[a-z]+\s*\/?(?:>|&gt;|&amp;gt;)/gi, '')
      .replace(/&(?:shy|ZeroWidthSpace|zwj|zwnj|NoBreak|#0*173|#x0*ad|#0*820[3-5]|#x0*200[b-d]);/gi, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2060-\u2064\ufeff`\\]/g, '')
  )
}

/** The pieces of the token found in what a reader would read of `text`. */
export function leakedPieces(text: string, token: string): string[] {
  // The runner reads `::add-mask::` lines and never shows them: they are how a secret is given to its mask.
  const read = asRead(text.replace(/^::add-mask::.*$/gm, ''))
  return tokenPieces(token).filter((piece) => read.toLowerCase().includes(piece.toLowerCase()))
}
