import { accessSync, constants, lstatSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { InputError, type InputNames } from '../settings/input-error.js'
import type { InputReader } from '../settings/inputs.js'

export const TOKEN_VARIABLE = 'TOOLFORGE_DEPLOY_TOKEN'
/** The variables of Toolforge's own GitLab snippet, taken when the command's own are not set. */
export const SNIPPET_TOKEN_VARIABLE = 'TOOLS_DEPLOY_TOKEN'
export const SNIPPET_TOOL_VARIABLE = 'TOOL_NAME'
export const SNIPPET_VARIABLES: readonly string[] = [SNIPPET_TOKEN_VARIABLE, SNIPPET_TOOL_VARIABLE]

/** Options a CI job can set as variables, each `TOOLFORGE_DEPLOY_` and the flag's name: `TOOLFORGE_DEPLOY_FORCE_BUILD`. */
export const VARIABLE_OPTIONS = ['tool', 'api-url', 'force-build', 'force-run', 'description', 'wait', 'timeout', 'poll-interval', 'on-conflict', 'deploy-id', 'check', 'check-timeout', 'check-expect', 'expect-commit', 'dry-run', 'config-file'] as const

export function optionVariable(name: string): string {
  return `TOOLFORGE_DEPLOY_${name.toUpperCase().replace(/-/g, '_')}`
}

/** How the command names its inputs in messages: flags, or the variables the values came from. */
export function cliInputNames(tokenVariable = TOKEN_VARIABLE, variables: ReadonlyMap<string, string> = new Map(), tokenUnset = false): InputNames {
  return {
    tokenUnset,
    label: (name) => (name === 'token' ? tokenVariable : (variables.get(name) ?? `--${name}`)),
    ref: (name) => variables.get(name) ?? `--${name}`,
    tokenSource: `in the ${TOKEN_VARIABLE} environment variable (or ${SNIPPET_TOKEN_VARIABLE}; in GitLab, a masked CI/CD variable); it is never taken from a flag, so that it stays out of process lists and shell history`
  }
}

export const USAGE = `Usage: toolforge-deploy [options]

Deploys a Toolforge tool through the Components API and waits until Toolforge
has finished: every component built and restarted, and the web service
answering. The deploy token is read from the ${TOKEN_VARIABLE} environment
variable (or ${SNIPPET_TOKEN_VARIABLE}; create it with
\`toolforge components deploy-token create\`).

Options:
  --tool NAME          the tool (default: $${SNIPPET_TOOL_VARIABLE}, or the repository
                       or project name in CI)
  --api-url URL        API gateway root (default: https://api.svc.toolforge.org)
  --force-build        rebuild even if the commit was built before
  --force-run          restart components even if their run config did not
                       change
  --description TEXT   stored with the deployment (default: names the CI run or
                       the git checkout)
  --no-wait            return as soon as the deployment is created
  --timeout DURATION   how long to wait, e.g. 45s, 30m, 1h30m (default: 30m;
                       at most 6h)
  --poll-interval DUR  longest pause between status checks (default: 10s; at
                       least 1s)
  --on-conflict MODE   wait (default) or fail, when another deployment is in
                       progress or Toolforge queues this one behind it
  --deploy-id ID       follow this existing deployment instead of creating one
  --check WHAT         after success, check the web service answers: auto
                       (default), off, or a URL
  --check-timeout DUR  how long the web service has to answer (default: 3m; at
                       most 1h)
  --check-expect TEXT  the checked answer must contain TEXT (e.g. the commit
                       served at /version), or the check goes on until it does
  --expect-commit SHA  fail (exit 1) unless Toolforge deploys this commit
                       (default: warn when it deploys another commit of this
                       CI run's own repository than the run's)
  --dry-run            deploy nothing: only ask Toolforge whether it accepts the
                       token for the tool (exit 0 if so, else 4 with its reason)
  --config-file FILE   check this components config (YAML or JSON) as Toolforge
                       would, before anything is sent; with --dry-run and no
                       token, check only that
  --json               print one JSON object on stdout (outcome, exitCode,
                       deployment, check, commit, commits, error); everything
                       else goes to stderr
  --dotenv FILE        write DEPLOY_ID, DEPLOY_STATUS, DEPLOY_OUTCOME,
                       DEPLOY_CHECK, DEPLOY_URL and DEPLOY_COMMIT to FILE (for
                       GitLab's artifacts:reports:dotenv)
  --verbose            show every status check, and the full summary (tables and
                       timeline) after a success too
  --help               show this help
  --version            show the version

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
}

/** Thrown for flags that are not options of the command. */
export class UsageError extends Error {}

/** How many single-character edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}

/** The known flag a mistyped one most likely meant: at most a third of it changed. */
export function closestFlag(given: string, known: readonly string[]): string | undefined {
  const name = given.replace(/^-+/, '').split('=')[0]!
  const [best] = [...known].sort((a, b) => editDistance(name, a) - editDistance(name, b))
  return best !== undefined && editDistance(name, best) <= Math.max(1, Math.floor(name.length / 3)) ? `--${best}` : undefined
}

/** The dotenv file must be writable where it is, before anything is sent. */
function checkDestination(path: string): void {
  const folder = dirname(resolve(path))
  const problem = (why: string) => new InputError('dotenv', `--dotenv is "${path}", but ${why}; accepted: a file in an existing folder this user can write to.`)
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
export const OPTIONS = {
  tool: { type: 'string' },
  'api-url': { type: 'string' },
  'force-build': { type: 'boolean' },
  'force-run': { type: 'boolean' },
  description: { type: 'string' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  'poll-interval': { type: 'string' },
  'on-conflict': { type: 'string' },
  'deploy-id': { type: 'string' },
  check: { type: 'string' },
  'check-timeout': { type: 'string' },
  'check-expect': { type: 'string' },
  'expect-commit': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'config-file': { type: 'string' },
  json: { type: 'boolean' },
  dotenv: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean' },
  version: { type: 'boolean' },
  token: { type: 'string' }
} as const

/** Reads the flags; the token comes from the environment only. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({ args: argv, allowPositionals: false, options: OPTIONS }))
  } catch (error) {
    const message = String((error as { message?: unknown }).message ?? error).split('\n')[0]!
    const unknown = /^Unknown option '([^']+)'/.exec(message)?.[1]
    const meant = unknown && closestFlag(unknown, Object.keys(OPTIONS).filter((name) => name !== 'token'))
    throw new UsageError(meant ? `${message}; did you mean ${meant}?` : message)
  }
  if (values.token !== undefined) {
    throw new UsageError(`--token is not accepted: pass the deploy token in the ${TOKEN_VARIABLE} environment variable.`)
  }
  const fromEnvironment: string[] = []
  let tokenVariable = TOKEN_VARIABLE
  if (!env[TOKEN_VARIABLE] && env[SNIPPET_TOKEN_VARIABLE]) {
    tokenVariable = SNIPPET_TOKEN_VARIABLE
    fromEnvironment.push(SNIPPET_TOKEN_VARIABLE)
  }
  const flags: Record<string, string> = { token: env[tokenVariable] ?? '' }
  const variables = new Map<string, string>()
  for (const name of VARIABLE_OPTIONS) {
    const value = env[optionVariable(name)]
    if (value === undefined || value === '') continue
    flags[name] = value
    variables.set(name, optionVariable(name))
  }
  // Flags win over variables; a boolean flag given sets its input, one not given leaves it.
  const given = (name: string, value: string) => {
    flags[name] = value
    variables.delete(name)
  }
  if (values['force-build']) given('force-build', 'true')
  if (values['force-run']) given('force-run', 'true')
  if (values['no-wait']) given('wait', 'false')
  if (values['dry-run']) given('dry-run', 'true')
  for (const name of ['tool', 'api-url', 'description', 'timeout', 'poll-interval', 'on-conflict', 'deploy-id', 'check', 'check-timeout', 'check-expect', 'expect-commit', 'config-file']) {
    const value = values[name]
    if (typeof value === 'string') given(name, value)
  }
  if (flags.tool === undefined && env[SNIPPET_TOOL_VARIABLE]) {
    flags.tool = env[SNIPPET_TOOL_VARIABLE]
    variables.set('tool', SNIPPET_TOOL_VARIABLE)
  }
  fromEnvironment.push(...variables.values())
  const dotenv = typeof values.dotenv === 'string' ? values.dotenv : undefined
  if (dotenv !== undefined && !values.help && !values.version) checkDestination(dotenv)
  return {
    read: (name) => flags[name] ?? '',
    names: cliInputNames(tokenVariable, variables, env[tokenVariable] === undefined),
    json: values.json === true,
    dotenv,
    verbose: values.verbose === true,
    help: values.help === true,
    version: values.version === true,
    fromEnvironment
  }
}
