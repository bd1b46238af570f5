import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { InputError, type InputNames } from './input-error.js'

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6. */
export function isLoopbackAddress(address: string): boolean {
  const ipv4 = /^(?:::ffff:)?(\d+)\.\d+\.\d+\.\d+$/i.exec(address)
  if (ipv4 && isIP(address.replace(/^::ffff:/i, '')) === 4) return ipv4[1] === '127'
  return isIP(address) === 6 && /^(?:0{0,4}:){2,7}0{0,3}1$|^::1$/.test(address)
}

export type Lookup = (host: string) => Promise<string[]>

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/**
 * Plain http:// is only for a server on this machine: a host name must resolve to
 * loopback addresses only, so that no name can send the token across a network in clear.
 */
export async function requireLoopbackHost(apiUrl: string, names: InputNames, lookup: Lookup = systemLookup): Promise<void> {
  const url = new URL(apiUrl)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (url.protocol !== 'http:' || isIP(host) !== 0) return
  let addresses: string[]
  try {
    addresses = await lookup(host)
  } catch {
    addresses = []
  }
  const outside = addresses.filter((address) => !isLoopbackAddress(address))
  if (addresses.length > 0 && outside.length === 0) return
  const found = addresses.length === 0 ? 'does not resolve' : `resolves to ${outside.join(', ')}`
  throw new InputError(
    'api-url',
    `${names.label('api-url')} is "${apiUrl}", whose host ${found}; plain http:// is accepted only for loopback addresses (127.0.0.1, [::1], or a name that resolves to them only). Use https:// for any other server.`
  )
}
