import { accessSync, constants, lstatSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { InputError, UsageError, type InputNames } from '../settings/input-error.js'
import { INPUTS, inputSpec, OUTPUTS, type InputSpec } from '../settings/input-table.js'
import { ACTION_INPUT_NAMES, type InputReader } from '../settings/inputs.js'

/**
 * The token's variables: the command's own, then the one of Toolforge's own GitLab snippet, taken when the first is not
 * set.
 */
export const [TOKEN_VARIABLE, SNIPPET_TOKEN_VARIABLE] = inputSpec('token').env as [string, string]
/** The tool's variable in Toolforge's snippet. */
export const SNIPPET_TOOL_VARIABLE = inputSpec('tool').env[1]!
export const SNIPPET_VARIABLES: readonly string[] = [SNIPPET_TOKEN_VARIABLE, SNIPPET_TOOL_VARIABLE]

/**
 * Set by the GitLab component, whose inputs become the command's variables: messages then name the inputs the user
 * wrote (`timeout: 45m`), not the variables the component made of them.
 */
export const COMPONENT_VARIABLE = 'TOOLFORGE_DEPLOY_FROM_COMPONENT'

const TOKEN_SOURCE =
  `in the ${TOKEN_VARIABLE} environment variable (or ${SNIPPET_TOKEN_VARIABLE}; in GitLab, a masked ` +
  `CI/CD variable); it is never taken from a flag, so that it stays out of process lists and shell history`

/** How the command names its inputs in messages: flags, or the variables the values came from. */
export function cliInputNames(
  tokenVariable = TOKEN_VARIABLE,
  variables: ReadonlyMap<string, string> = new Map(),
  tokenUnset = false
): InputNames {
  return {
    tokenUnset,
    label: (name) => (name === 'token' ? tokenVariable : (variables.get(name) ?? `--${name}`)),
    ref: (name) => variables.get(name) ?? `--${name}`,
    tokenSource: TOKEN_SOURCE
  }
}

/** Run from the GitLab component: its inputs by their names, as the action names them; the token by its variable's. */
export function componentInputNames(tokenVariable: string, tokenUnset: boolean): InputNames {
  return {
    ...ACTION_INPUT_NAMES,
    tokenUnset,
    label: (name) => (name === 'token' ? tokenVariable : ACTION_INPUT_NAMES.label(name)),
    tokenSource: TOKEN_SOURCE
  }
}

/** An input's default as the component sets it, with GitLab's variables in it expanded as the job sees them. */
const componentDefault = (input: InputSpec, env: NodeJS.ProcessEnv) =>
  (input.component?.default ?? input.default).replace(/\$(\w+)/g, (_, name: string) => env[name] ?? '')

/** The command's own flags, beside those of the inputs. */
const OWN_FLAGS: Array<[flag: string, help: string]> = [
  [
    '--json',
    'Print one JSON object on stdout (outcome, exitCode, deployment, check, commit, commits, error); everything else ' +
      'goes to stderr.'
  ],
  [
    '--dotenv FILE',
    `Write ${OUTPUTS.flatMap((o) => (o.dotenv ? [o.dotenv] : [])).join(', ')} to FILE (for GitLab's ` +
      `artifacts:reports:dotenv), on every ending.`
  ],
  ['--verbose', 'Show every status check, and the full summary (tables and timeline) after a success too.'],
  ['--help', 'Show this help.'],
  ['--version', 'Show the version.']
]

/** The flag of an input as --help writes it: `--timeout DURATION`, `--no-wait`. */
function flagOf(input: InputSpec): string {
  return `--${input.flag?.negated ? 'no-' : ''}${input.name}${input.flag?.value ? ` ${input.flag.value}` : ''}`
}

const HELP_INDENT = 23
const HELP_WIDTH = 80

/** `text` in lines of at most HELP_WIDTH, after a flag column HELP_INDENT wide. */
function helpEntry(flag: string, text: string): string {
  const lines: string[] = []
  const head = `  ${flag}`
  // A flag too wide for its column gets a line of its own.
  if (head.length > HELP_INDENT - 2) lines.push(head)
  let line = (lines.length > 0 ? '' : head).padEnd(HELP_INDENT - 1)
  for (const word of text.split(' ')) {
    if (line.length + 1 + word.length > HELP_WIDTH && line.trim() !== '') {
      lines.push(line)
      line = ''.padEnd(HELP_INDENT - 1)
    }
    line += ` ${word}`
  }
  return [...lines, line].join('\n')
}

/** An input's help: its description, and its default where it has one worth saying. */
function inputHelp(input: InputSpec): string {
  if (input.flag?.help) return input.flag.help
  return input.kind === 'boolean' || input.default === ''
    ? input.description
    : `${input.description} Default: ${input.default}.`
}

const OPTION_HELP = [
  ...INPUTS.filter((input) => input.flag).map((input) => helpEntry(flagOf(input), inputHelp(input))),
  ...OWN_FLAGS.map(([flag, help]) => helpEntry(flag, help))
].join('\n')

export const USAGE = `Usage: toolforge-deploy [options]

Deploys a Toolforge tool through the Components API and waits until Toolforge
has finished: every component built and restarted, and the web service
answering. The deploy token is read from the ${TOKEN_VARIABLE} environment
variable (or ${SNIPPET_TOKEN_VARIABLE}; create it with
\`toolforge components deploy-token create\`).

Options:
${OPTION_HELP}

Exit codes:
  0  the deployment is successful (or created, with --no-wait)
  1  the deployment failed, timed out or was cancelled on Toolforge, the web
     service did not answer after it (--check, --check-expect), or Toolforge
     deployed another commit than --expect-commit
  2  bad usage or input, or a config Toolforge would refuse; nothing was sent
  3  gave up waiting (--timeout) or was interrupted; the deployment goes on
  4  Toolforge refused (401, 404, 409 with --on-conflict fail), queued it behind
     another deployment (with --on-conflict fail), or could not be reached

Environment: every option above but the output ones can be set as a variable
named TOOLFORGE_DEPLOY_ and the option's name (TOOLFORGE_DEPLOY_TIMEOUT=45m,
TOOLFORGE_DEPLOY_FORCE_BUILD=true, TOOLFORGE_DEPLOY_WAIT=false); a flag wins
over its variable. NO_COLOR disables colours; GITLAB_CI=true folds the wait into
a section; TOOLFORGE_TOOL_URL sets the tools' web address (default
https://{tool}.toolforge.org/).
`

export interface CliOptions {
  read: InputReader
  names: InputNames
  json: boolean
  dotenv: string | undefined
  verbose: boolean
  help: boolean
  version: boolean
  /** Which variables gave a value, to say so. */
  fromEnvironment: string[]
  /** Run from the GitLab component: the inputs the user set, as `name: value`, all others at their defaults. */
  component?: { inputsSet: string[] }
}

/** How many single-character edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}

/** The known flag a mistyped one most likely meant: at most a third of it changed. */
export function closestFlag(given: string, known: readonly string[]): string | undefined {
  const name = given.replace(/^-+/, '').split('=')[0]!
  const [best] = [...known].sort((a, b) => editDistance(name, a) - editDistance(name, b))
  return best !== undefined && editDistance(name, best) <= Math.max(1, Math.floor(name.length / 3))
    ? `--${best}`
    : undefined
}

/** The dotenv file must be writable where it is, before anything is sent. */
function checkDestination(path: string): void {
  const folder = dirname(resolve(path))
  const problem = (why: string) =>
    new InputError(
      'dotenv',
      `--dotenv is "${path}", but ${why}; accepted: a file in an existing folder this user can write to.`
    )
  try {
    if (!statSync(folder).isDirectory()) throw problem(`${folder} is not a folder`)
  } catch (error) {
    throw error instanceof InputError ? error : problem(`the folder ${folder} does not exist`)
  }
  try {
    accessSync(folder, constants.W_OK)
    if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory()) throw problem('it is a folder')
  } catch (error) {
    throw error instanceof InputError ? error : problem(`the folder ${folder} is not writable`)
  }
}

/** The command's flags, as `parseArgs` reads them (`token` only to refuse it with a reason). */
export const OPTIONS: Record<string, { type: 'string' | 'boolean' }> = {
  ...Object.fromEntries(
    INPUTS.filter((input) => input.flag).map((input) => [
      `${input.flag?.negated ? 'no-' : ''}${input.name}`,
      { type: input.kind === 'boolean' ? 'boolean' : 'string' }
    ])
  ),
  json: { type: 'boolean' },
  dotenv: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
  token: { type: 'string' }
}

/** Reads the flags; the token comes from the environment only. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({ args: argv, allowPositionals: false, options: OPTIONS }))
  } catch (error) {
    const message = String((error as { message?: unknown }).message ?? error).split('\n')[0]!
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1]
    const meant =
      unknown &&
      closestFlag(
        unknown,
        Object.keys(OPTIONS).filter((name) => name !== 'token')
      )
    throw new UsageError(meant ? `${message}; did you mean ${meant}?` : message)
  }
  if (values.token !== undefined) {
    throw new UsageError(
      `--token is not accepted: pass the deploy token in the ${TOKEN_VARIABLE} environment variable.`
    )
  }
  // Each input's variables, as the table lists them: the first one set gives the value.
  const flags: Record<string, string> = {}
  const variables = new Map<string, string>()
  for (const input of INPUTS) {
    const variable = input.env.find((name) => env[name] !== undefined && env[name] !== '')
    if (variable === undefined) continue
    flags[input.name] = env[variable]!
    variables.set(input.name, variable)
  }
  const tokenVariable = variables.get('token') ?? TOKEN_VARIABLE
  variables.delete('token')
  // Flags win over variables; a boolean flag given sets its input, one not given leaves it.
  const given = (name: string, value: string) => {
    flags[name] = value
    variables.delete(name)
  }
  for (const input of INPUTS) {
    if (!input.flag) continue
    const value = values[`${input.flag.negated ? 'no-' : ''}${input.name}`]
    if (typeof value === 'string') given(input.name, value)
    else if (value === true) given(input.name, input.flag.negated ? 'false' : 'true')
  }
  const fromEnvironment = [...(tokenVariable === TOKEN_VARIABLE ? [] : [tokenVariable]), ...variables.values()]
  const dotenv = typeof values.dotenv === 'string' ? values.dotenv : undefined
  if (dotenv !== undefined && !values.help && !values.version) checkDestination(dotenv)
  const tokenUnset = env[tokenVariable] === undefined
  // The component sets every input's variable, most to their defaults: only what differs was the user's doing.
  const component =
    env[COMPONENT_VARIABLE] === 'true'
      ? {
          inputsSet: INPUTS.flatMap((input) =>
            input.name !== 'token' &&
            flags[input.name] !== undefined &&
            flags[input.name] !== componentDefault(input, env)
              ? [`${input.name}: ${flags[input.name]}`]
              : []
          )
        }
      : undefined
  return {
    read: (name) => flags[name] ?? '',
    names: component
      ? componentInputNames(tokenVariable, tokenUnset)
      : cliInputNames(tokenVariable, variables, tokenUnset),
    json: values.json === true,
    dotenv,
    verbose: values.verbose === true,
    help: values.help === true,
    version: values.version === true,
    // Under the component, only a variable of Toolforge's snippet is worth naming: the others are its inputs.
    fromEnvironment: component ? fromEnvironment.filter((name) => SNIPPET_VARIABLES.includes(name)) : fromEnvironment,
    ...(component ? { component } : {})
  }
}
