import { describe, expect, test } from '@jest/globals'
import type { ComponentRow } from '../../src/report/components.js'
import type { Verdict } from '../../src/report/outcome.js'
import type { SummaryModel } from '../../src/report/summary.js'
import { renderText, textTimeline, wrapLine } from '../../src/report/text.js'
import type { TimelineModel } from '../../src/report/timeline.js'

const IMAGE = 'web:latest@sha256:772632716c43…'
const OK: Verdict = {
  kind: 'successful',
  ok: true,
  title: 'Toolforge deployment successful',
  problem: undefined,
  nextSteps: []
}

const WEB: ComponentRow = {
  name: 'web',
  build: { state: 'successful', ms: 72_000, id: 'tool-buildpacks-pipelinerun-ab12c' },
  image: { full: `harbor/tool-mytool/${IMAGE}`, short: IMAGE },
  run: { state: 'successful', ms: 8_000 },
  notes: [[{ code: false, text: 'created or updated job web; info: started' }]]
}
const CRON: ComponentRow = {
  name: 'cron',
  build: { state: 'skipped', reused: 'reused from web' },
  run: { state: 'failed', ms: 0 },
  notes: [
    [
      { code: false, text: 'see ' },
      { code: true, text: 'toolforge jobs logs cron' }
    ],
    [{ code: false, text: 'exit 1' }]
  ]
}

const TIMELINE: TimelineModel = {
  startedAt: 0,
  observed: { startMs: 0, endMs: 80_000 },
  precisionMs: 2_000,
  check: { span: { startMs: 80_000, endMs: 90_000 }, result: 'failed' },
  components: {
    web: {
      waiting: { startMs: 0, endMs: 10_000 },
      build: { startMs: 10_000, endMs: 70_000 },
      run: { startMs: 70_000, endMs: 80_000 }
    },
    cron: { run: { startMs: 70_000, endMs: 78_000 } }
  }
}

const FAILED: SummaryModel = {
  verdict: {
    kind: 'not-serving',
    ok: false,
    title: 'Deployed, but not serving',
    problem: 'the run of cron failed: exit 1',
    nextSteps: [{ text: 'Read the log of cron', command: 'toolforge jobs logs cron' }, { text: 'Deploy again' }]
  },
  facts: [
    { label: 'Tool', value: 'mytool', link: 'https://mytool.toolforge.org/' },
    { label: 'Deployment', value: '20250703-075322-5zxh2hip26', code: true },
    { label: 'Duration', value: '1m 35s' }
  ],
  components: [WEB, CRON],
  timeline: TIMELINE
}

const lines = (model: SummaryModel, width: number) => renderText(model, width).split('\n')
const withRows = (components: ComponentRow[]): SummaryModel => ({
  verdict: OK,
  facts: [{ label: 'Tool', value: 'mytool' }],
  components
})
/** The lines between the facts' blank line and the next one. */
const componentLines = (model: SummaryModel, width: number) => lines(model, width).slice(4, -1)

describe('the terminal summary', () => {
  test('a wide terminal gets a table, the timeline as bars, and the next steps', () => {
    expect(renderText(FAILED, 120)).toBe(
      [
        '✖ Deployed, but not serving',
        '',
        '  Tool        mytool (https://mytool.toolforge.org/)',
        '  Deployment  20250703-075322-5zxh2hip26',
        '  Duration    1m 35s',
        '',
        '  Problem: the run of cron failed: exit 1',
        '',
        '  Component  Build                     Run            Image                            Toolforge says',
        `  web        successful 1m12s          successful 8s  ${IMAGE}  created or updated job web; info…`,
        '  cron       skipped, reused from web  failed         —                                see toolforge jobs logs cron · e…',
        '',
        '  Timeline',
        `         0${'1m30s'.padStart(98)}`,
        `  web    ${'·'.repeat(11)}${'━'.repeat(66)}${'▮'.repeat(12)}${' '.repeat(10)} 1m`,
        `  cron   ${' '.repeat(77)}${'▮'.repeat(9)}`,
        `  check  ${' '.repeat(88)}${'○'.repeat(11)} not serving`,
        '         · queued  ━ build  ▮ run  ○ check  (times as seen, up to 2s late)',
        '',
        '  What to do next:',
        '  - Read the log of cron: toolforge jobs logs cron',
        '  - Deploy again',
        ''
      ].join('\n')
    )
  })

  test('a successful run with nothing more to tell is its title and its facts', () => {
    const model: SummaryModel = {
      verdict: OK,
      facts: [
        { label: 'Tool', value: 'mytool' },
        { label: 'Status', value: 'successful' }
      ],
      components: []
    }
    expect(renderText(model)).toBe('✔ Toolforge deployment successful\n\n  Tool    mytool\n  Status  successful\n')
    // A timeline in which nothing was seen happening has no heading either.
    expect(renderText({ ...model, timeline: { ...TIMELINE, check: undefined, components: { web: {} } } })).toBe(
      renderText(model)
    )
  })

  test('from 100 columns the components are a table; below, one block each, wrapped rather than cut', () => {
    expect(lines(FAILED, 100).slice(8, 10)).toEqual([
      '  Component  Build                     Run            Image                           Toolforge says',
      '  web        successful 1m12s          successful 8s  web:latest@sha256:772632716c4…  created or up…'
    ])
    expect(lines(FAILED, 99).slice(8, 14)).toEqual([
      '  web: build successful 1m12s (tool-buildpacks-pipelinerun-ab12c) · run successful 8s',
      '    created or updated job web; info: started',
      '  cron: build skipped, reused from web · run failed',
      '    see toolforge jobs logs cron',
      '    exit 1',
      ''
    ])
    expect(lines(FAILED, 60).slice(8, 11)).toEqual([
      '  web: build successful 1m12s',
      '    (tool-buildpacks-pipelinerun-ab12c) · run successful 8s',
      '    created or updated job web; info: started'
    ])
    // Blocks below 100 columns even when a table would fit; components in the same states share a line.
    const small = withRows([{ name: 'web', build: { state: 'successful' }, run: { state: 'successful' }, notes: [] }])
    expect(componentLines(small, 99)).toEqual(['  web: build successful · run successful'])
    const same = (name: string, ms: number): ComponentRow => ({
      name,
      build: { state: 'failed', ms, id: `${name}-build` },
      run: { state: 'skipped' },
      notes: []
    })
    const many = {
      ...withRows([same('a', 4_000), same('b', 4_000), same('c', 5_000)]),
      verdict: { ...OK, problem: 'failed: a(id:a-build) b(id:b-build) c(id:c-build)' }
    }
    expect(lines(many, 80).slice(6, 7)).toEqual(['  a, b, c: build failed · run skipped'])
    const five = {
      ...many,
      components: ['a', 'b', 'c', 'd', 'e'].map((name) => same(name, 4_000)),
      verdict: { ...many.verdict, problem: 'a-build b-build c-build d-build e-build' }
    }
    expect(lines(five, 80).slice(6, 7)).toEqual(['  all 5 components: build failed 4s · run skipped'])
    // A build id Toolforge's reason does not name is on the component's own line.
    expect(
      lines({ ...many, verdict: { ...many.verdict, problem: 'failed: a(id:a-build) b(id:b-build)' } }, 80).slice(6, 8)
    ).toEqual(['  a, b: build failed 4s · run skipped', '  c: build failed 5s (c-build) · run skipped'])
    expect(componentLines(small, 100)).toEqual([
      '  Component  Build       Run         Image  Toolforge says',
      '  web        successful  successful  —'
    ])
  })

  test("long cells are cut, the name's first, until Toolforge's words have 14 columns; when they cannot, blocks", () => {
    const row = (run: string): ComponentRow => ({
      ...WEB,
      name: 'n'.repeat(40),
      build: { state: 'b'.repeat(50) },
      run: { state: run }
    })
    // 24 + 28 + 13 + 31 columns, two between each, leave exactly 14 of 120.
    expect(componentLines(withRows([row('successful 8s')]), 120)).toEqual([
      '  Component                 Build                         Run            Image                            Toolforge says',
      `  ${'n'.repeat(23)}…  ${'b'.repeat(27)}…  successful 8s  ${IMAGE}  created or up…`
    ])
    expect(componentLines(withRows([row('r'.repeat(23))]), 120)).toEqual([
      `  ${'n'.repeat(40)}: build ${'b'.repeat(50)} · run`,
      `    ${'r'.repeat(23)}`,
      '    created or updated job web; info: started'
    ])
  })

  test("a title too long is cut at the width; Toolforge's reason wraps, whole up to the log's limit", () => {
    const model = (title: string, problem: string): SummaryModel => ({
      verdict: { ...FAILED.verdict, title, problem, nextSteps: [] },
      facts: [{ label: 'Tool', value: 'mytool' }],
      components: []
    })
    expect(lines(model('x'.repeat(38), 'p'), 40)[0]).toBe(`✖ ${'x'.repeat(38)}`)
    expect(lines(model('x'.repeat(39), 'p'), 40)[0]).toBe(`✖ ${'x'.repeat(37)}…`)
    expect(
      lines(model('T', `the build of web failed:\n${'x'.repeat(30)} see \`toolforge build logs web-1\``), 40).slice(4)
    ).toEqual([
      '  Problem: the build of web failed: ⏎',
      `    ${'x'.repeat(30)} see`,
      '    `toolforge build logs web-1`',
      ''
    ])
    const long = lines(model('T', 'word '.repeat(500)), 120)
    // 2,000 characters of the line are kept: its indent, the label and 1,989 of the reason.
    expect(
      long
        .slice(4, -1)
        .map((line) => line.trim())
        .join(' ')
    ).toBe(`Problem: ${'word '.repeat(397)}word… [511 more characters]`)
    for (const line of long) expect([...line].length).toBeLessThanOrEqual(120)
  })
})

describe('the terminal timeline', () => {
  test('a build seen for no time is marked but not totalled; a passing check serves; names are cut to 16', () => {
    const timeline: TimelineModel = {
      startedAt: 0,
      observed: { startMs: 0, endMs: 40_000 },
      precisionMs: 0,
      check: { span: { startMs: 40_000, endMs: 40_000 }, result: 'passed' },
      components: {
        'a-component-with-a-long-name': { build: { startMs: 0, endMs: 0 }, run: { startMs: 20_000, endMs: 40_000 } },
        idle: {}
      }
    }
    expect(textTimeline(timeline, 80)).toEqual([
      `                    0${'40s'.padStart(47)}`,
      `  a-component-wit…  ━${' '.repeat(23)}${'▮'.repeat(24)}`,
      `  check             ${' '.repeat(47)}○ serves`,
      '                    · queued  ━ build  ▮ run  ○ check  (times as seen)'
    ])
  })

  test('nothing seen is no timeline; a narrow one keeps its bars ten wide and wraps its legend between marks', () => {
    expect(
      textTimeline({ startedAt: 0, observed: { startMs: 0, endMs: 0 }, precisionMs: 0, components: { idle: {} } }, 80)
    ).toEqual([])
    const instant: TimelineModel = {
      startedAt: 0,
      observed: { startMs: 0, endMs: 0 },
      precisionMs: 0,
      components: { web: { run: { startMs: 0, endMs: 0 } } }
    }
    expect(textTimeline(instant, 40)).toEqual([
      `       0${'0s'.padStart(20)}`,
      '  web  ▮',
      '       · queued  ━ build  ▮ run',
      '       (times as seen)'
    ])
    expect(textTimeline(instant, 20)[1]).toBe(`  web  ▮`)
    expect(textTimeline(instant, 20)[0]).toBe(`       0${'0s'.padStart(9)}`)
  })
})

describe('wrapLine', () => {
  test('a line that fits stays whole, an empty one too', () => {
    expect(wrapLine('  Problem: short', 20)).toEqual(['  Problem: short'])
    expect(wrapLine('', 20)).toEqual([''])
  })

  test('a longer one breaks between words, each further line indented two more', () => {
    expect(wrapLine('  error: the build of web failed, see its log', 20)).toEqual([
      '  error: the build',
      '    of web failed,',
      '    see its log'
    ])
    // Words that fill a line exactly stay on it.
    expect(wrapLine('ab cd ef', 5)).toEqual(['ab cd', '  ef'])
    for (const line of wrapLine('x '.repeat(100), 13)) expect([...line].length).toBeLessThanOrEqual(13)
  })

  test('a word longer than the line goes on in lines of its own, indented like the rest', () => {
    expect(wrapLine(`id ${'a'.repeat(25)}`, 10)).toEqual([
      'id',
      `  ${'a'.repeat(8)}`,
      `  ${'a'.repeat(8)}`,
      `  ${'a'.repeat(8)}`,
      '  a'
    ])
    expect(wrapLine(`  x ${'b'.repeat(20)}`, 10)).toEqual([
      '  x',
      `    ${'b'.repeat(6)}`,
      `    ${'b'.repeat(6)}`,
      `    ${'b'.repeat(6)}`,
      '    bb'
    ])
  })
})
