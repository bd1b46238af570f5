/**
 * Look at what people see: every example summary (dev/demo/summaries.ts) rendered to HTML
 * as GitHub renders a job summary (its Markdown dialect, its markdown CSS, Mermaid drawn in
 * the page), with the terminal rendering and the log lines of the same run beside it.
 *
 *   npm run preview                    pages in .preview/, index.html lists them
 *   npm run preview -- --screenshots   also the PNGs in docs/screenshots/, from headless Chromium
 *
 * Screenshots need Debian's SCREENSHOT_PACKAGES, and refuse to run without them: with other
 * fonts they would be pictures of something else. Chromium is started so that it makes no
 * connection and no DNS look-up of its own.
 */
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { exampleSummaries, type Example } from './summaries.js'
import { renderGfm } from './gfm.js'
import { ROOT } from '../support/project-root.js'
import { cannotRun, hasCommand } from '../support/prerequisites.js'

const OUT = join(ROOT, '.preview')
const SHOTS = join(ROOT, 'docs', 'screenshots')
/** The width of a job summary on a run's page, on a laptop screen. */
const PAGE_WIDTH = 1012
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
/** What the screenshots are drawn with, as Debian packages them. */
export const SCREENSHOT_PACKAGES = 'chromium fonts-noto-core fonts-noto-color-emoji pngquant'
/** The font families the page names, and the colour emoji of the statuses. */
const FONTS = ['Noto Sans', 'Noto Color Emoji']

/** What `--screenshots` needs and this machine lacks, in words. */
export function missingForScreenshots(
  has: (command: string, args?: string[]) => boolean = hasCommand,
  families = fontFamilies()
): string[] {
  const missing: string[] = []
  if (!has(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (or set CHROMIUM)`)
  if (!has('pngquant')) missing.push('pngquant')
  for (const font of FONTS) if (!families.some((family) => family === font)) missing.push(`the font ${font}`)
  return missing
}

/** The font families fontconfig knows (none when it cannot be asked). */
function fontFamilies(): string[] {
  try {
    return execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' })
      .split('\n')
      .flatMap((line) => line.split(',').map((name) => name.trim()))
  } catch {
    return []
  }
}

/** The screenshots kept in the repository, by file name, and the example each shows. */
export const SCREENSHOTS: Record<string, string> = {
  success: 'a typical deployment',
  'build-failure': 'a typical build failure',
  'run-failure': 'scenario run-failure',
  'timed-out': 'scenario timed-out',
  cancelled: 'scenario cancelled',
  'stopped-waiting': 'stopped waiting',
  'many-failures': 'scenario many-failures',
  hostile: 'scenario hostile',
  'not-serving': 'not serving',
  queued: 'queued behind another deployment'
}

/** What each screenshot was taken of, so a test can tell when one is out of date. */
export const SOURCES = join(SHOTS, 'sources.json')

export const fingerprint = (markdown: string) => createHash('sha256').update(markdown).digest('hex').slice(0, 16)

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '')

/** GitHub draws ```mermaid blocks as diagrams; here Mermaid does it in the page. */
function summaryHtml(markdown: string): string {
  return renderGfm(markdown).replace(
    /<pre><code class="language-mermaid">([\s\S]*?)<\/code><\/pre>/g,
    '<pre class="mermaid">$1</pre>'
  )
}

function page(example: Example): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(example.name)}</title>
<link rel="stylesheet" href="github-markdown-light.css">
<style>
  body { margin: 0; padding: 16px; background: #f6f8fa; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
  .box { max-width: ${PAGE_WIDTH - 34}px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
  .box > header { padding: 12px 16px; border-bottom: 1px solid #d1d9e0; font-weight: 600; font-size: 14px; }
  .markdown-body { padding: 16px 24px 24px; }
  .extra h2 { font-size: 16px; margin: 24px 0 8px; }
  .extra pre { background: #0d1117; color: #e6edf3; padding: 12px; border-radius: 6px; overflow-x: auto; font-size: 12px; line-height: 1.45; }
  body.shot .extra { display: none; }
</style></head>
<body>
<div class="box" id="summary"><header>deploy summary</header>
<article class="markdown-body">
${summaryHtml(example.markdown)}
</article></div>
<div class="extra">
<h2>The command, in a terminal of 120 columns</h2>
<pre>${escapeHtml(example.text)}</pre>
<h2>The log</h2>
<pre>${escapeHtml(example.log.join('\n') || '(nothing before the summary)')}</pre>
</div>
<script src="mermaid.min.js"></script>
<script>
  if (location.hash === '#shot') document.body.classList.add('shot')
  mermaid.initialize({ startOnLoad: false, theme: 'default', gantt: { useWidth: ${PAGE_WIDTH - 90} } })
  mermaid.run({ querySelector: 'pre.mermaid' }).finally(() => {
    document.body.dataset.height = String(Math.ceil(document.getElementById('summary').getBoundingClientRect().bottom + 16))
  })
</script>
</body></html>
`
}

function index(examples: Example[]): string {
  const rows = examples.map(
    (e) => `<li><a href="${slug(e.name)}.html">${escapeHtml(e.name)}</a> — ${escapeHtml(e.model.verdict.title)}</li>`
  )
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Summaries</title><link rel="stylesheet" href="github-markdown-light.css"></head>
<body class="markdown-body" style="padding: 24px"><h1>Every summary the action writes</h1><ul>${rows.join('')}</ul></body></html>
`
}

const run = promisify(execFile)

/** Headless Chromium that reaches nothing: no DNS, no connection but to 127.0.0.1, no background traffic. */
async function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'preview-chromium-'))
  try {
    const flags = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--hide-scrollbars',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=15000'
    ]
    const { stdout } = await run(CHROMIUM, [...flags, ...args], { maxBuffer: 64 * 1024 * 1024 })
    return stdout
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}

async function screenshot(file: string, into: string): Promise<void> {
  const url = `${pathToFileURL(file).href}#shot`
  // First the page's height once Mermaid has drawn, then a window exactly that tall.
  const dom = await chromium([`--window-size=${PAGE_WIDTH},800`, '--dump-dom', url])
  const height = Number(/data-height="(\d+)"/.exec(dom)?.[1])
  if (!height) throw new Error(`${file}: the page did not finish drawing`)
  await chromium([
    `--window-size=${PAGE_WIDTH},${height}`,
    '--force-device-scale-factor=2',
    `--screenshot=${into}`,
    url
  ])
  await smaller(into)
}

/** A third of the size, no difference to see (Debian's pngquant), so the repository stays small. */
async function smaller(png: string): Promise<void> {
  await run('pngquant', ['--quality', '80-95', '--speed', '1', '--force', '--output', png, png])
}

async function main(): Promise<void> {
  const missing = process.argv.includes('--screenshots') ? missingForScreenshots() : []
  if (missing.length > 0)
    cannotRun('npm run preview -- --screenshots', `${missing.join(', ')}: apt-get install ${SCREENSHOT_PACKAGES}`)
  const examples = await exampleSummaries()
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  copyFileSync(
    join(ROOT, 'node_modules', 'github-markdown-css', 'github-markdown-light.css'),
    join(OUT, 'github-markdown-light.css')
  )
  copyFileSync(join(ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js'), join(OUT, 'mermaid.min.js'))
  for (const example of examples) writeFileSync(join(OUT, `${slug(example.name)}.html`), page(example))
  writeFileSync(join(OUT, 'index.html'), index(examples))
  console.log(`${examples.length} summaries: ${pathToFileURL(join(OUT, 'index.html')).href}`)
  if (!process.argv.includes('--screenshots')) return
  mkdirSync(SHOTS, { recursive: true })
  const sources: Record<string, string> = {}
  for (const [file, name] of Object.entries(SCREENSHOTS)) {
    const example = examples.find((e) => e.name === name)
    if (!example) throw new Error(`no example named ${name}`)
    const into = join(SHOTS, `${file}.png`)
    await screenshot(join(OUT, `${slug(name)}.html`), into)
    sources[file] = fingerprint(example.markdown)
    console.log(`  ${into.slice(ROOT.length + 1)}  (${name})`)
  }
  writeFileSync(SOURCES, `${JSON.stringify(sources, null, 2)}\n`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
