import { describe, expect, test } from '@jest/globals'
import {
  deploymentJson,
  LONGEST_UNBROKEN,
  markdownCode,
  markdownText,
  oneLine,
  shortWords,
  truncate,
  unlinked
} from '../../src/report/sanitize.js'
import { renderGfm } from '../../dev/demo/gfm.js'
import { deployment } from '../../dev/fixtures/deployments.js'

describe('sanitize', () => {
  test('oneLine flattens line breaks and drops control characters', () => {
    expect(oneLine('a\nb\r\nc\u2028d\u0007\u001b[31m')).toBe('a ⏎ b ⏎ c ⏎ d[31m')
  })

  test('truncate keeps up to the limit, and says how much was left out', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef')
    expect(truncate('abcdefg', 6)).toBe('abcdef… [1 more characters]')
    expect(oneLine('x'.repeat(2_005))).toBe(`${'x'.repeat(2_000)}… [5 more characters]`)
  })

  test('markdownText escapes HTML and inline Markdown', () => {
    expect(markdownText('<b>|*x*_`[a](b)&~\\')).toBe('&lt;b&gt;\\|\\*x\\*\\_\\`\\[a\\](b)&amp;\\~\\\\')
  })

  test('markdownCode is a code span with a fence longer than any backtick run inside', () => {
    expect(markdownCode('mytool-buildpacks-pipelinerun-abc12')).toBe('`mytool-buildpacks-pipelinerun-abc12`')
    expect(markdownCode('a`b|c')).toBe('``a`b\\|c``')
    expect(markdownCode('a`b|c', undefined, 'line')).toBe('``a`b|c``')
    expect(markdownCode('`x`` ')).toBe('``` `x``  ```')
    expect(markdownCode(' ')).toBe('')
    // A pipe a backslash already escapes stays in the cell; GitHub then shows it without the backslash.
    expect(renderGfm(`| h |\n| -- |\n| ${markdownCode('a\\|b')} |`)).toContain('<td><code>a|b</code></td>')
  })

  test('a word longer than any id or address Toolforge names is cut; one that long stays whole', () => {
    expect(shortWords(`see ${'x'.repeat(161)} end`)).toBe(`see ${'x'.repeat(159)}… end`)
    const image = `tools-harbor.wmcloud.org/tool-mytool/tool-mytool/web:latest@sha256:${'a'.repeat(64)}`
    expect(shortWords(`${image} ${'y'.repeat(160)}`)).toBe(`${image} ${'y'.repeat(160)}`)
    expect(markdownText('z'.repeat(500)).replace(/<wbr>/g, '')).toBe(`${'z'.repeat(159)}…`)
  })

  test('in a table, code with a long run nothing breaks is cut into spans a browser may wrap between, and copies out whole', () => {
    const long = `${'a'.repeat(30)}\\|${'b'.repeat(30)} web-1/x`
    const code = markdownCode(long)
    expect(code).toBe(
      `\`${'a'.repeat(24)}\`<wbr>\`${'a'.repeat(6)}\\|${'b'.repeat(16)}\`<wbr>\`${'b'.repeat(14)} web-1/x\``
    )
    const html = renderGfm(`| h |\n| -- |\n| ${code} |`)
    const cell = /<td>([\s\S]*?)<\/td>/.exec(html)![1]!
    expect(cell.replace(/<[^>]+>/g, '')).toBe(long.replace('\\|', '|'))
    // Ids break at their hyphens already, and a line has room: neither is cut.
    expect(markdownCode('mytool-buildpacks-pipelinerun-abc12-and-more-words')).toBe(
      '`mytool-buildpacks-pipelinerun-abc12-and-more-words`'
    )
    expect(markdownCode('a'.repeat(40), undefined, 'line')).toBe(`\`${'a'.repeat(40)}\``)
  })

  // GitHub reads Markdown inside an HTML <code> element, but nothing inside a code span.
  test.each(['cell', 'line'] as const)(
    'markdownCode in a %s renders inert, and copies out exactly, whatever the text',
    (place) => {
      const hostile =
        'x [a](https://evil.example/) ![i](https://evil.example/i.png) <a href="https://evil.example/">h</a> *e* _u_ ~s~ &amp; www.evil.example a@evil.example `b` `` c | \\ \\\\| end\\'
      const code = markdownCode(hostile, 2_000, place)
      const html = renderGfm(place === 'cell' ? `| h |\n| -- |\n| ${code} |` : `- ${code}`)
      expect(html).not.toMatch(/<(a|img|em|strong|del)\b/)
      const shown = [...html.matchAll(/<code>(.*?)<\/code>/g)].map((m) =>
        m[1]!
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&amp;/g, '&')
      )
      expect(shown).toEqual([hostile])
    }
  )

  test('no server text becomes a link: URLs, www. and e-mail addresses are broken', () => {
    const zw = '<wbr>'
    expect(unlinked('see https://evil.example/x and www.evil.example, mail a.b@evil.example')).toBe(
      `see https${zw}://evil.example/x and www${zw}.evil.example, mail a.b@${zw}evil.example`
    )
    expect(unlinked('me/mytool@abcdef1 ftp://x')).toBe(`me/mytool@abcdef1 ftp${zw}://x`)
    expect(markdownText('http://a.example')).toContain(zw)
    expect(renderGfm(markdownText('see https://evil.example/x, www.evil.example and a.b@evil.example'))).not.toContain(
      '<a '
    )
  })

  test('a run of text with no space can wrap, so it cannot widen a table past the page; what shows copies out exactly', () => {
    const zw = '<wbr>'
    const run = 'x'.repeat(LONGEST_UNBROKEN * 2 + 5)
    expect(markdownText(`a ${run} b`)).toBe(
      `a ${'x'.repeat(LONGEST_UNBROKEN)}${zw}${'x'.repeat(LONGEST_UNBROKEN)}${zw}xxxxx b`
    )
    expect(markdownText('x'.repeat(LONGEST_UNBROKEN))).toBe('x'.repeat(LONGEST_UNBROKEN))
    // A break inside a link, an address or an escape must not bring a link back, nor change what is shown.
    for (const offset of [25, 27, 28, 29, 30, 35, 38, 39, 40, 41]) {
      const text = `${'y'.repeat(offset)}https://evil.example/www.evil.example/a@evil.example<b>&amp;`
      const html = renderGfm(`| a |\n| --- |\n| ${markdownText(text)} |`)
      expect([offset, html.includes('<a ')]).toEqual([offset, false])
      // <wbr> shows and copies as nothing: the cell's text is the text given, character for character.
      const shown = /<td>(.*)<\/td>/
        .exec(html)![1]!
        .replaceAll(zw, '')
        .replace(/&(lt|gt|amp|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"' })[e]!)
      expect([offset, shown]).toEqual([offset, text])
    }
  })

  test('the deployment output stays under its size, saying what was left out', () => {
    const builds = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`c${i}`, 'failed']))
    const big = deployment('failed', builds, {}, { long_status: 'y'.repeat(5_000) })
    for (const name of Object.keys(big.builds)) big.builds[name]!.build_long_status = 'z'.repeat(3_000)
    const small = deploymentJson(big, 50_000)
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(50_000)
    const parsed = JSON.parse(small) as { components_left_out: number; builds: object; long_status: string }
    expect(parsed.components_left_out).toBeGreaterThan(0)
    expect(Object.keys(parsed.builds).length + parsed.components_left_out).toBe(300)
    expect(parsed.long_status).toBe(`${'y'.repeat(200)}… [4800 more characters]`)
    expect(JSON.parse(deploymentJson(deployment('successful', { web: 'successful' })))).not.toHaveProperty(
      'components_left_out'
    )
    const texts = JSON.parse(deploymentJson({ ...big, builds: {} }, 50_000)) as { long_status: string }
    expect(texts.long_status).toBe(`${'y'.repeat(2_000)}… [3000 more characters]`)
  })

  test('a deployment exactly at the size is whole; components are left out from the end of the alphabet; too small a size leaves them all out', () => {
    const d = deployment('failed', { worker: 'failed', api: 'failed', web: 'failed' })
    // Texts too short to be cut: only leaving components out can make it smaller.
    for (const build of Object.values(d.builds)) build.build_long_status = 'z'.repeat(150)
    const whole = deploymentJson(d)
    expect(deploymentJson(d, Buffer.byteLength(whole))).toBe(whole)
    const cut = JSON.parse(deploymentJson(d, Buffer.byteLength(whole) - 1)) as {
      builds: object
      components_left_out: number
    }
    expect([Object.keys(cut.builds), cut.components_left_out]).toEqual([['api'], 2])
    const none = JSON.parse(deploymentJson(d, 10)) as { builds: object; components_left_out: number }
    expect([Object.keys(none.builds), none.components_left_out]).toEqual([[], 3])
  })
})
