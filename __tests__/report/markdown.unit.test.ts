import { describe, expect, test } from '@jest/globals'
import { mermaidGantt, renderMarkdown, tickInterval, utcWallClock } from '../../src/report/markdown.js'
import type { ComponentRow } from '../../src/report/components.js'
import type { SummaryModel } from '../../src/report/summary.js'
import type { TimelineModel } from '../../src/report/timeline.js'
import { renderGfm } from '../../dev/demo/gfm.js'
import { ganttCharts, tableShapes } from '../helpers/render.js'

const STARTED = Date.parse('2026-11-28T10:00:00Z')

const model = (notes: string[]): SummaryModel => ({
  verdict: {
    kind: 'successful',
    ok: true,
    title: 'Toolforge deployment successful: mytool',
    problem: undefined,
    nextSteps: []
  },
  facts: [{ label: 'Tool', value: 'mytool' }],
  components: [
    {
      name: 'web',
      build: { state: 'successful', ms: 161_000 },
      run: { state: 'successful' },
      notes: notes.map((text) => [{ code: false, text }])
    },
    { name: 'worker', build: { state: 'successful', ms: 182_000 }, run: { state: 'successful' }, notes: [] }
  ]
})

describe('the Markdown summary', () => {
  test('the column of what Toolforge says is there only when it said something', () => {
    const without = tableShapes(renderGfm(renderMarkdown(model([]))))
    expect(without[1]).toEqual([4, 4, 4])
    expect(renderMarkdown(model([]))).not.toContain('Toolforge says')
    const withNotes = tableShapes(renderGfm(renderMarkdown(model(['job created']))))
    expect(withNotes[1]).toEqual([5, 5, 5])
    // No components, no section for them.
    expect(renderMarkdown({ ...model([]), components: [] })).toBe(
      '## ✅ Toolforge deployment successful: mytool\n\n| Tool | mytool |\n| :-- | :-- |\n'
    )
  })

  test('past five failures, what Toolforge says of the others is folded away', () => {
    const job = (i: number, notes: string[]): ComponentRow => ({
      name: `job-${i}`,
      build: { state: 'successful', ms: 0 },
      run: { state: 'failed' },
      notes: notes.map((text) => [{ code: false, text }])
    })
    const web: ComponentRow = {
      name: 'web',
      build: { state: 'skipped', reused: 'reused an earlier build', id: 'tool-build-1' },
      image: { full: `h/web:latest@sha256:${'a'.repeat(64)}`, short: 'web:latest@sha256:aaaaaaaaaaaa…' },
      run: { state: 'odd', ms: 3_000 },
      notes: [[{ code: false, text: 'one' }], [{ code: true, text: 'two' }]]
    }
    const failures = (sixth: string[]): SummaryModel => ({
      verdict: { kind: 'failed', ok: false, title: 'Toolforge deployment failed', problem: undefined, nextSteps: [] },
      facts: [{ label: 'Tool', value: 'mytool' }],
      components: [
        web,
        ...[1, 2, 3, 4, 5].map((i) => job(i, [`exit ${i}`])),
        job(6, sixth),
        {
          name: 'job-7',
          build: { state: 'failed' },
          run: { state: 'pending' },
          notes: [[{ code: false, text: 'no space left' }]]
        }
      ],
      timeline: { startedAt: 0, observed: { startMs: 0, endMs: 1_000 }, precisionMs: 0, components: {} }
    })
    const markdown = renderMarkdown(failures([]))
    expect(markdown.slice(markdown.indexOf('### Components'), markdown.indexOf('### Timeline'))).toBe(
      [
        '### Components',
        '',
        '| Component | Build | Run | Image | Toolforge says |',
        '| :-- | :-- | :-- | :-- | :-- |',
        '| web | ⏭️\u00a0skipped<br>reused an earlier build<br>`tool-build-1` | ❔\u00a0odd,\u00a03s | `web:latest`<br>`@sha256:aaaaaaaaaaaa…` | one<br>`two` |',
        ...[1, 2, 3, 4, 5].map((i) => `| job-${i} | ✅\u00a0successful | ❌\u00a0failed | — | exit ${i} |`),
        '| job-6 | ✅\u00a0successful | ❌\u00a0failed | — |  |',
        '| job-7 | ❌\u00a0failed | ⏳\u00a0pending | — |  |',
        '',
        '<details><summary>What Toolforge says of the other failed component</summary>',
        '',
        '- job-7: no space left',
        '',
        '</details>',
        '',
        '<details><summary>Full image references</summary>',
        '',
        `- web: \`h/web:latest@sha256:${'a'.repeat(64)}\``,
        '',
        '</details>',
        '',
        ''
      ].join('\n')
    )
    expect(markdown).toContain('\n<sub>Times in UTC, as the action saw them.</sub>\n')
    expect(renderMarkdown(failures(['out of memory', 'killed']))).toContain(
      '<details><summary>What Toolforge says of the other 2 failed components</summary>\n\n- job-6: out of memory · killed\n- job-7: no space left\n'
    )
  })

  test('columns are left-aligned, as text is read', () => {
    const html = renderGfm(renderMarkdown(model([])))
    expect(html.match(/<t[hd](?! align="left")[ >]/g)).toBeNull()
  })
})

describe('the Mermaid timeline', () => {
  const timeline: TimelineModel = {
    startedAt: STARTED,
    observed: { startMs: 300, endMs: 190_000 },
    precisionMs: 8_000,
    components: {
      web: {
        waiting: { startMs: 300, endMs: 6_300 },
        build: { startMs: 6_300, endMs: 167_300 },
        run: { startMs: 189_000, endMs: 190_000 }
      }
    }
  }

  test('the axis is in UTC wherever the reader is: Mermaid draws the local time it reads, and reads UTC’s wall clock', async () => {
    const wallClock = (epochMs: number) => {
      const d = new Date(epochMs)
      const pad = (n: number, width = 2) => String(n).padStart(width, '0')
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
    }
    const zone = process.env.TZ
    try {
      for (const tz of ['UTC', 'Asia/Kolkata', 'America/Los_Angeles']) {
        process.env.TZ = tz
        const [tasks] = await ganttCharts(mermaidGantt(timeline).join('\n') + '\n')
        // What the reader sees on the axis (their local time of each task) is the UTC time it happened.
        expect(tasks!.map((t) => [t.task, t.section, wallClock(t.start), wallClock(t.end)])).toEqual([
          ['queued', 'web', utcWallClock(STARTED + 300), utcWallClock(STARTED + 6_300)],
          ['build', 'web', utcWallClock(STARTED + 6_300), utcWallClock(STARTED + 167_300)],
          ['run', 'web', utcWallClock(STARTED + 189_000), utcWallClock(STARTED + 190_000)]
        ])
      }
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
    expect(utcWallClock(Date.UTC(2026, 10, 28, 10, 0, 1, 250))).toBe('2026-11-28 10:00:01.250')
    expect(mermaidGantt(timeline)).toContain('    axisFormat %H:%M:%S')
    expect(renderMarkdown({ ...model([]), timeline })).toContain(
      '<sub>Times in UTC, as the action saw them, each up to 8s after it happened.</sub>'
    )
  })

  test('what failed is drawn in red (crit), the serving check last', () => {
    const failing: TimelineModel = {
      ...timeline,
      components: {
        web: { build: { startMs: 0, endMs: 10 }, run: { startMs: 10, endMs: 20 }, failed: 'run' },
        worker: { build: { startMs: 0, endMs: 10 }, failed: 'build' }
      },
      check: { span: { startMs: 20, endMs: 30 }, result: 'failed' }
    }
    const tasks = mermaidGantt(failing).filter((line) => / :.*t\d/.test(line))
    expect(tasks.map((line) => line.trim().replace(/(, [\d-]+ [\d:.]+){2}$/, ''))).toEqual([
      'build :t1',
      'run :crit, t2',
      'build :crit, t3',
      'not serving :crit, t4'
    ])
  })

  test('the axis has a mark at a round step, at most eight of them', () => {
    expect(mermaidGantt(timeline)).toContain('    tickInterval 30second')
    expect(tickInterval(4_000)).toBe('1second')
    expect(tickInterval(8_000)).toBe('1second')
    expect(tickInterval(8_001)).toBe('2second')
    expect(tickInterval(190_000)).toBe('30second')
    expect(tickInterval(8 * 60_000)).toBe('1minute')
    expect(tickInterval(16 * 60_000)).toBe('2minute')
    expect(tickInterval(25 * 60_000)).toBe('5minute')
    expect(tickInterval(80 * 60_000)).toBe('10minute')
    expect(tickInterval(120 * 60_000)).toBe('15minute')
    expect(tickInterval(30 * 3_600_000)).toBe('1hour')
  })
})
