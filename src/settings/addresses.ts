import { isIP } from 'node:net'

/**
 * Where plain http:// may go: `localhost`, an IPv4 address in 127.0.0.0/8, or `[::1]`;
 * no other name and no other way of writing loopback. These are exactly the hosts that
 * http-client never sends through a proxy, so a request to them cannot leave the machine.
 * (A name that merely resolves to loopback would go to a configured proxy, in clear.)
 */
export function isLoopbackHost(url: URL): boolean {
  const host = url.hostname.toLowerCase()
  if (host === 'localhost' || host === '[::1]') return true
  return isIP(host) === 4 && host.startsWith('127.')
}
