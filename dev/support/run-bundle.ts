import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './project-root.js'
import { actionNode } from './runtimes.js'
import { signaller, type SignalPlan } from './signal-plan.js'

/** Where tools' web addresses point in tests unless a test serves them: a closed loopback port. */
export const UNREACHABLE_TOOL_URL = 'http://127.0.0.1:9/{tool}/'

/** The committed bundle, run as the runner runs it. */
export const BUNDLE = join(ROOT, 'dist', 'index.js')

export interface Annotation {
  kind: 'error' | 'warning' | 'notice'
  title: string | undefined
  message: string
  /** Where in the workspace, when the annotation names a place. */
  file?: string
  line?: number
  column?: number
}

export interface ActionRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  annotations: Annotation[]
  /** Everything the run left behind, for leak checks. */
  everything: string
  durationMs: number
  /** When the signal was sent, in ms after the start. */
  signalledAtMs: number | undefined
}

export interface RunOptions {
  inputs: Record<string, string>
  env?: Record<string, string>
  /** Leave GITHUB_STEP_SUMMARY unset, as on a developer's machine. */
  noSummaryFile?: boolean
  /** Cancel the run at this moment (its stdout so far is what `when` looks at). */
  signal?: SignalPlan
  /** Called with all of stdout so far, each time more arrives. */
  onStdout?: (stdout: string) => void
  killAfterMs?: number
  /** The Node.js that runs the bundle: by default the runner's, Node 24. */
  node?: string
}

/** The GITHUB_OUTPUT file format: `name<<delimiter`, lines, `delimiter`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i]!)
    if (!match) continue
    const [, name, delimiter] = match
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!)
    outputs[name!] = value.join('\n')
  }
  return outputs
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** Annotations as the runner would read them from the log. */
export function parseAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = []
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line)
    if (!match) continue
    const property = (name: string) => new RegExp(`(?:^| |,)${name}=([^,]*)`).exec(match[2] ?? '')?.[1]
    const unescapeProperty = (text: string) => unescapeData(text.replace(/%3A/g, ':').replace(/%2C/g, ','))
    const [title, file, atLine, atColumn] = ['title', 'file', 'line', 'col'].map(property)
    annotations.push({
      kind: match[1] as Annotation['kind'],
      title: title === undefined ? undefined : unescapeProperty(title),
      message: unescapeData(match[3]!),
      ...(file === undefined ? {} : { file: unescapeProperty(file), line: Number(atLine), column: Number(atColumn) })
    })
  }
  return annotations
}

/** Runs the committed bundle the way the runner does: INPUT_* variables and command files. */
export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-action-'))
  const outputFile = join(dir, 'output')
  const summaryFile = join(dir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: dir,
    ...(options.noSummaryFile ? {} : { GITHUB_STEP_SUMMARY: summaryFile }),
    ...options.env
  }
  // Probing a tool's address is asked for explicitly; and whatever is probed is on this
  // machine: nothing a test runs may reach an outside address.
  env.INPUT_CHECK ??= 'off'
  env.TOOLFORGE_TOOL_URL ??= UNREACHABLE_TOOL_URL
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const started = Date.now()
  // The runner's runtime for the action: Node 24.
  const child = spawn(options.node ?? actionNode(), [BUNDLE], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s]))
  )
  let stdout = ''
  let stderr = ''
  const signals = signaller(child, options.signal, started)
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    options.onStdout?.(stdout)
    signals.output(stdout)
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000)
  const [code, signal] = await exited
  clearTimeout(killer)
  const outputText = readFileSync(outputFile, 'utf8')
  const summary = readFileSync(summaryFile, 'utf8')
  rmSync(dir, { recursive: true, force: true })
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseOutputFile(outputText),
    summary,
    annotations: parseAnnotations(stdout),
    everything: [stdout, stderr, outputText, summary].join('\n'),
    durationMs: Date.now() - started,
    signalledAtMs: signals.sentAtMs()
  }
}
