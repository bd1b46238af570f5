import { describe, expect, test } from '@jest/globals'
import { ACTION_INPUT_NAMES } from '../../src/settings/inputs.js'
import { isLoopbackAddress } from '../../src/settings/addresses.js'
import { requireLoopbackHost, requireLoopbackHosts, type Lookup } from '../../src/settings/loopback.js'
import { readSettings } from '../../src/settings/inputs.js'

/** A resolver from a table, so that no test looks up a real name. */
const resolver =
  (table: Record<string, string[]>): Lookup =>
  (host) =>
    table[host] ? Promise.resolve(table[host]) : Promise.reject(new Error('ENOTFOUND'))

const check = (url: string, table: Record<string, string[]> = {}) => requireLoopbackHost(url, ACTION_INPUT_NAMES, resolver(table))

describe('plain http:// only for loopback', () => {
  test.each(['127.0.0.1', '127.255.0.9', '127.0.0.10', '127.0.10.1', '::1', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '::ffff:127.0.0.1'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true)
  })

  test.each(['128.0.0.1', '10.0.0.1', '::2', 'fe80::1', '::ffff:10.0.0.1', '127.0.0.1.nip.io', 'localhost', '1127.0.0.1', '127.999.0.1', ':::1', '::10', '::1:0'])('%s is not', (address) => {
    expect(isLoopbackAddress(address)).toBe(false)
  })

  test('a name resolving to loopback addresses only is accepted', async () => {
    await expect(check('http://localhost:8080', { localhost: ['127.0.0.1', '::1'] })).resolves.toBeUndefined()
  })

  test('a name that also resolves elsewhere, or starts with 127., is refused', async () => {
    await expect(check('http://localhost:8080', { localhost: ['127.0.0.1', '192.168.1.5', '10.0.0.1'] })).rejects.toMatchObject({
      input: 'api-url',
      message: `Input 'api-url' is "http://localhost:8080", whose host resolves to 192.168.1.5, 10.0.0.1; plain http:// is accepted only for loopback addresses (127.0.0.1, [::1], or a name that resolves to them only). Use https:// for any other server.`
    })
    await expect(check('http://127.0.0.1.nip.io', { '127.0.0.1.nip.io': ['203.0.113.7'] })).rejects.toThrow('resolves to 203.0.113.7;')
    await expect(check('http://nowhere.invalid')).rejects.toThrow('whose host does not resolve;')
  })

  test("the system's resolver is asked for every address of a name", async () => {
    // localhost comes from the hosts file: no query leaves the machine.
    await expect(requireLoopbackHost('http://localhost:9/', ACTION_INPUT_NAMES)).resolves.toBeUndefined()
  })

  test('addresses and https:// need no lookup', async () => {
    const lookup = () => Promise.reject(new Error('must not be asked'))
    await expect(requireLoopbackHost('http://127.0.0.1:9', ACTION_INPUT_NAMES, lookup)).resolves.toBeUndefined()
    await expect(requireLoopbackHost('http://[::1]:9', ACTION_INPUT_NAMES, lookup)).resolves.toBeUndefined()
    await expect(requireLoopbackHost('https://api.svc.toolforge.org', ACTION_INPUT_NAMES, lookup)).resolves.toBeUndefined()
  })

  test('every address a run may ask is checked: the API, the check URL, and the tool address when the check is auto', async () => {
    const settings = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
      readSettings((name) => ({ token: 't', tool: 'x', ...inputs })[name] ?? '', env)
    const asked: string[] = []
    const lookup: Lookup = (host) => (asked.push(host), Promise.resolve(host.startsWith('far') ? ['192.0.2.1'] : ['127.0.0.1']))
    const checkAll = (inputs: Record<string, string>, env?: NodeJS.ProcessEnv) => requireLoopbackHosts(settings(inputs, env), ACTION_INPUT_NAMES, lookup)
    await expect(checkAll({ 'api-url': 'http://near.test:1', check: 'http://far.test/' })).rejects.toMatchObject({
      input: 'check',
      message: `Input 'check' is "http://far.test/", whose host resolves to 192.0.2.1; plain http:// is accepted only for loopback addresses (127.0.0.1, [::1], or a name that resolves to them only). Use https:// for any other server.`
    })
    await expect(checkAll({ check: 'auto' }, { TOOLFORGE_TOOL_URL: 'http://far-{tool}.test/' })).rejects.toMatchObject({
      input: 'tool-url',
      message: `TOOLFORGE_TOOL_URL is "http://far-x.test/", whose host resolves to 192.0.2.1; plain http:// is accepted only for loopback addresses (127.0.0.1, [::1], or a name that resolves to them only). Use https:// for any other server.`
    })
    await expect(checkAll({ check: 'off' }, { TOOLFORGE_TOOL_URL: 'http://far-{tool}.test/' })).resolves.toBeUndefined()
    expect(asked).toEqual(['near.test', 'far.test', 'far-x.test'])
  })
})
