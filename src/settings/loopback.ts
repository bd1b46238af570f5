import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { isLoopbackAddress, urlHost } from './addresses.js'
import { InputError, type InputNames } from './input-error.js'
import { TOOL_URL_VARIABLE } from './inputs.js'
import type { Settings } from './settings.js'

export type Lookup = (host: string) => Promise<string[]>

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map((entry) => entry.address)

/**
 * Plain http:// is only for a server on this machine: a host name must resolve to
 * loopback addresses only, so that no name can send the token across a network in clear.
 */
export async function requireLoopbackHost(address: string, names: InputNames, lookup: Lookup = systemLookup, input = 'api-url'): Promise<void> {
  const url = new URL(address)
  const host = urlHost(url)
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
    input,
    `${names.label(input)} is "${address}", whose host ${found}; plain http:// is accepted only for loopback addresses (127.0.0.1, [::1], or a name that resolves to them only). Use https:// for any other server.`
  )
}

/** Every address the run may send a request to, checked before the first one is sent. */
export async function requireLoopbackHosts(settings: Settings, names: InputNames, lookup: Lookup = systemLookup): Promise<void> {
  await requireLoopbackHost(settings.apiUrl, names, lookup)
  if (settings.check instanceof URL) await requireLoopbackHost(settings.check.href, names, lookup, 'check')
  if (settings.check === 'auto') await requireLoopbackHost(settings.toolAddress, { ...names, label: () => TOOL_URL_VARIABLE }, lookup, 'tool-url')
}
