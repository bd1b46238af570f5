import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { BUNDLE, UNREACHABLE_TOOL_URL } from './run-bundle.js'
import { signaller, type SignalPlan } from './signal-plan.js'

export const CLI = join(BUNDLE, '..', 'cli.js')

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  durationMs: number
  signalledAtMs: number | undefined
}

/** Runs a command (by default the committed CLI bundle) with a clean environment. */
export async function runCli(
  args: string[],
  options: {
    env?: Record<string, string>
    /** Cancel the run at this moment (its stdout and stderr so far are what `when` looks at). */
    signal?: SignalPlan
    /** Called with all of stdout and stderr so far, each time more arrives. */
    onOutput?: (output: string) => void
    command?: string[]
    cwd?: string
    node?: string
    killAfterMs?: number
  } = {}
): Promise<CliRun> {
  const [program, ...prefix] = options.command ?? [options.node ?? process.execPath, CLI]
  const started = Date.now()
  // As for the action: a check only when asked for, and never outside this machine.
  const checkArgs = options.command || args.includes('--check') ? [] : ['--check', 'off']
  const child = spawn(program!, [...prefix, ...args, ...checkArgs], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TOOLFORGE_TOOL_URL: UNREACHABLE_TOOL_URL,
      ...options.env
    },
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  const signals = signaller(child, options.signal, started)
  const more = () => {
    signals.output(stdout + stderr)
    options.onOutput?.(stdout + stderr)
  }
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    more()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    more()
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  return { code, stdout, stderr, durationMs: Date.now() - started, signalledAtMs: signals.sentAtMs() }
}
