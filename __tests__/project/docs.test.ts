import { existsSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { ROOT } from '../../dev/support/project-root.js'
import { HEADINGS, TROUBLESHOOTING } from '../../src/report/troubleshooting.js'
import { docFiles, readDoc } from '../helpers/docs.js'

/** A heading's anchor, as GitHub makes it: lower case, punctuation gone, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(file: string): Set<string> {
  const text = readDoc(file).replace(/```[\s\S]*?```/g, '')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1]!)))
}

/** Every relative link of a page: Markdown links and images, and HTML src attributes. */
function linksOf(file: string): string[] {
  const text = readDoc(file).replace(/```[\s\S]*?```/g, '')
  const markdown = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!)
  const html = [...text.matchAll(/\bsrc="([^"]+)"/g)].map((match) => match[1]!)
  return [...markdown, ...html].filter((target) => !/^[a-z]+:/.test(target))
}

describe('the documentation', () => {
  test('every relative link and anchor in the README, CONTRIBUTING.md and docs/ resolves', () => {
    const broken: string[] = []
    for (const file of docFiles()) {
      for (const link of linksOf(file)) {
        const [path, anchor] = link.split('#') as [string, string | undefined]
        const target = path === '' ? file : normalize(join(dirname(file), path))
        if (!existsSync(join(ROOT, target))) broken.push(`${file}: ${link} (no ${target})`)
        else if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor))
          broken.push(`${file}: ${link} (no heading #${anchor} in ${target})`)
      }
    }
    expect(broken).toEqual([])
  })

  test('links to a heading are checked, and a missing one is found', () => {
    expect(slug("This run's timeout expired")).toBe('this-runs-timeout-expired')
    expect(slug('Another deployment is in progress (HTTP 409)')).toBe('another-deployment-is-in-progress-http-409')
    expect(anchorsOf('docs/troubleshooting.md').has('no-such-heading')).toBe(false)
  })

  test('every message a run ends with links to a heading of docs/troubleshooting.md that exists', () => {
    expect(TROUBLESHOOTING).toMatch(/\/blob\/v1\/docs\/troubleshooting\.md$/)
    const headings = anchorsOf('docs/troubleshooting.md')
    const ANCHORS = Object.values(HEADINGS)
    expect(ANCHORS.filter((anchor) => !headings.has(anchor))).toEqual([])
    expect(ANCHORS.length).toBeGreaterThan(15)
  })

  test('the README is read in five minutes: at most 350 lines, a workflow with uses: before line 60', () => {
    const lines = readDoc('README.md').split('\n')
    expect(lines.length).toBeLessThanOrEqual(350)
    const fence = lines.findIndex((line) => line === '```yaml')
    expect(fence).toBeGreaterThan(0)
    expect(fence + 1).toBeLessThan(60)
    const end = lines.indexOf('```', fence + 1)
    expect(lines.slice(fence, end).some((line) => /^\s+(- )?uses: toolforge\/deploy-action@v1$/.test(line))).toBe(true)
  })
})
