import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fingerprint, SCREENSHOTS, SOURCES } from '../../dev/demo/preview.js'
import { ROOT } from '../../dev/support/project-root.js'
import { exampleSummaries } from '../../dev/demo/summaries.js'
import { PROBLEM_LIMIT } from '../../src/report/markdown.js'
import { timelineRows } from '../../src/report/timeline.js'
import { ganttCharts, renderGfm, tableShapes } from '../helpers/render.js'
import { TROUBLESHOOTING } from '../../src/report/troubleshooting.js'

// Rendered afresh in each test (a tenth of a second): code run in a beforeAll belongs to
// no test, and a mutation run would then have to run every test against each of its mutants.

const PLACEHOLDERS = /no-id-yet|no-image-yet|no-build-needed/
/** The CI run the examples deploy from, in their descriptions. */
const RUN = 'https://github.com/toolforge-repos/mytool/actions/runs/4242'

describe('every summary, as GitHub renders it', () => {
  test('there is one for each way a run ends', async () => {
    const examples = await exampleSummaries()
    const kinds = new Set(examples.map((e) => e.model.verdict.kind))
    expect([...kinds].sort()).toEqual(
      [
        'bad-input',
        'cancelled',
        'failed',
        'interrupted',
        'not-serving',
        'other-commit',
        'refused',
        'stopped-waiting',
        'successful',
        'timed-out',
        'unknown-creation'
      ].sort()
    )
    expect(examples.length).toBeGreaterThanOrEqual(25)
  })

  test('tables keep their shape, no header row is empty, and no link comes from Toolforge', async () => {
    const examples = await exampleSummaries()
    for (const example of examples) {
      const html = renderGfm(example.markdown)
      for (const shape of tableShapes(html)) {
        expect([example.name, new Set(shape).size]).toEqual([example.name, 1])
      }
      expect([example.name, html.match(/<th><\/th>/g)]).toEqual([example.name, null])
      const links = [...html.matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map(([, href, text]) => [
        href,
        text!.replace(/<wbr>/g, '')
      ])
      const ours = ['https://mytool.toolforge.org/', RUN]
      expect([
        example.name,
        links.filter(([href]) => !ours.includes(href!) && !href!.startsWith(`${TROUBLESHOOTING}#`))
      ]).toEqual([example.name, []])
      // The run is a link wherever the description names it, and shows its address whole.
      if (example.model.facts.some((f) => f.label === 'Description' && f.value.includes(RUN)))
        expect([example.name, links.some(([href, text]) => href === RUN && text === RUN)]).toEqual([example.name, true])
      expect([example.name, html.match(/<(script|img|iframe)\b/g)]).toEqual([example.name, null])
    }
  })

  test('no cell of the components table holds a run a browser cannot wrap, longer than a column can give (it would push the table past the page)', async () => {
    const examples = await exampleSummaries()
    for (const example of examples) {
      const components =
        /<table>\s*<thead>\s*<tr>\s*<th[^>]*>Component<\/th>[\s\S]*?<\/table>/.exec(renderGfm(example.markdown))?.[0] ??
        ''
      const cells = [...components.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => cell!)
      const runs = cells.flatMap((cell) =>
        cell
          .split(/<wbr>|<br>|<\/?code>|<[^>]+>|[\s\u00a0/-]/)
          .map((run) => run.replace(/&[a-z]+;|&#\d+;/g, '&'))
          .filter((run) => [...run].length > 24)
      )
      expect([example.name, runs]).toEqual([example.name, []])
    }
  })

  test('every id, build id, image and commit copies out of the rendered page exactly', async () => {
    const examples = await exampleSummaries()
    const entities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'" }
    let checked = 0
    for (const example of examples) {
      // What a reader selects and copies: the page's text, without its tags.
      const copied = renderGfm(example.markdown)
        .replace(/<[^>]+>/g, '')
        .replace(/&(lt|gt|amp|quot|#39);/g, (_, e: string) => entities[e]!)
      const values = [
        ...example.model.facts.filter((f) => f.code).map((f) => f.value),
        ...example.model.components.flatMap((c) =>
          [c.build.id, c.image?.short].filter((v): v is string => v !== undefined)
        ),
        ...[
          ...example.markdown.matchAll(
            /\b(\d{8}-\d{6}-[a-z0-9]{10}|[a-z0-9-]+-buildpacks-pipelinerun-[a-z0-9]{5}|[0-9a-f]{7,40})\b/g
          )
        ].map((m) => m[1]!)
      ]
      // Values with line breaks or control characters are made inert on purpose (the hostile scenario's image).
      for (const value of values.filter((v) => /^[\x21-\x7e]+$/.test(v)))
        expect([example.name, value, copied.includes(value)]).toEqual([example.name, value, true])
      expect([example.name, copied.includes('\u200b')]).toEqual([example.name, false])
      checked += values.length
    }
    expect(checked).toBeGreaterThan(100)
  })

  test('no placeholder is shown as an id or an image', async () => {
    const examples = await exampleSummaries()
    for (const example of examples) {
      expect([example.name, PLACEHOLDERS.test(example.markdown) || PLACEHOLDERS.test(example.text)]).toEqual([
        example.name,
        false
      ])
    }
  })

  test('every timeline is a Mermaid chart Mermaid compiles, with one bar per span it shows', async () => {
    const examples = await exampleSummaries()
    let charts = 0
    for (const example of examples) {
      const timeline = example.model.timeline
      const found = await ganttCharts(example.markdown)
      if (!timeline) {
        expect([example.name, found]).toEqual([example.name, []])
        continue
      }
      charts += 1
      expect(found).toHaveLength(1)
      const spans = timelineRows(timeline).reduce(
        (n, [, c]) => n + (c.waiting ? 1 : 0) + (c.build ? 1 : 0) + (c.run ? 1 : 0),
        (timeline.queued ? 1 : 0) + (timeline.check ? 1 : 0)
      )
      expect([example.name, found[0]!.length]).toEqual([example.name, spans])
      for (const task of found[0]!) expect(task.end).toBeGreaterThan(task.start)
    }
    expect(charts).toBeGreaterThanOrEqual(15)
  })

  test('the hostile scenario cannot break out of the chart or the tables', async () => {
    const examples = await exampleSummaries()
    const hostile = examples.find((e) => e.name === 'scenario hostile')!
    const [chart] = await ganttCharts(hostile.markdown)
    expect(chart!.map((t) => t.section)).toContain('_img src_x onerror_alert_1_____warning__')
    expect(renderGfm(hostile.markdown)).not.toMatch(/<img|<script/)
  })

  test('14 failed components: every one named, the summary a third shorter than before', async () => {
    const examples = await exampleSummaries()
    const many = examples.find((e) => e.name === 'scenario many-failures')!
    for (let i = 1; i <= 14; i++) expect(many.markdown).toContain(`job-${String(i).padStart(2, '0')}`)
    // The same deployment's summary from the bundle before this report layer (commit a28e3de), measured on this simulator.
    const BEFORE = 6_990
    expect(many.markdown.length).toBeLessThanOrEqual((BEFORE * 2) / 3)
    expect(many.model.verdict.problem!.length).toBeGreaterThan(PROBLEM_LIMIT)
    expect(renderGfm(many.markdown)).toMatch(/… \[\d+ more characters\]/)
  })

  test('the terminal summary fits 80 and 120 columns', async () => {
    const examples = await exampleSummaries()
    const { renderText } = await import('../../src/report/text.js')
    for (const example of examples) {
      for (const width of [80, 120]) {
        const lines = renderText(example.model, width)
          .split('\n')
          .filter((line) => !line.startsWith('  - '))
          // An address of the project's own, on a line of its own: a terminal links it only whole.
          .filter((line) => !line.startsWith(`    ${TROUBLESHOOTING}#`))
        for (const line of lines)
          expect([example.name, width, [...line].length <= width]).toEqual([example.name, width, true])
      }
    }
  })

  test('the screenshots in docs/ are of the summaries as they are now (npm run preview -- --screenshots)', async () => {
    const examples = await exampleSummaries()
    const sources = JSON.parse(readFileSync(SOURCES, 'utf8')) as Record<string, string>
    for (const [file, name] of Object.entries(SCREENSHOTS)) {
      const png = join(ROOT, 'docs', 'screenshots', `${file}.png`)
      expect([file, existsSync(png) && readFileSync(png).subarray(1, 4).toString()]).toEqual([file, 'PNG'])
      expect([file, sources[file]]).toEqual([file, fingerprint(examples.find((e) => e.name === name)!.markdown)])
    }
    for (const shown of ['success', 'build-failure'])
      expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`docs/screenshots/${shown}.png`)
  })
})
