import { isIP } from 'node:net'

/** A URL's host as an address or a name: an IPv6 address without its brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/[[\]]/g, '')
}

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const ipv4 = /^(?:::ffff:)?(\d+)\.\d+\.\d+\.\d+$/i.exec(address)
  if (ipv4 && isIP(address.replace(/^::ffff:/i, '')) === 4) return ipv4[1] === '127'
  return isIP(address) === 6 && /^(?:0{0,4}:){2,7}0{0,3}1$|^::1$/.test(address)
}
