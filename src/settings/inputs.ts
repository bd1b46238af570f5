import { InputError, InputErrors, type InputNames } from './input-error.js'
import { isLoopbackHost } from './addresses.js'
import { defaultDescription, runUrl } from './description.js'
import { formatDuration, parseDuration } from './duration.js'
import { checkConfigFile, ConfigFileUnreadable } from './config-file.js'
import { inputSpec, type InputName } from './input-table.js'
import type { CheckedConfig, ExpectedCommit, Settings } from './settings.js'

export const MAX_TIMEOUT_MS = 6 * 3_600_000
export const MAX_CHECK_TIMEOUT_MS = 3_600_000
export const MIN_POLL_INTERVAL_MS = 1_000
export const MAX_POLL_INTERVAL_MS = 3_600_000
const DEPLOY_ID = /^\d{8}-\d{6}-[a-z0-9]{10}$/
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const TOKEN_CHARACTERS = /^[A-Za-z0-9._~-]+$/
export const MIN_TOKEN_LENGTH = 16
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const UUID_EXAMPLE = '0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b'
const TRUE = ['true', 'True', 'TRUE']
const FALSE = ['false', 'False', 'FALSE']

export type InputReader = (name: string) => string

/** An input's default, from the one table of inputs. */
const defaultOf = (name: InputName) => inputSpec(name).default

export const ACTION_INPUT_NAMES: InputNames = {
  label: (name) => `Input '${name}'`,
  ref: (name) => `'${name}'`,
  tokenSource:
    'passed from a secret such as ${{ secrets.TOOLFORGE_DEPLOY_TOKEN }}. If the secret is set, check that this ' +
    'workflow can read it'
}

function quoted(value: string): string {
  return JSON.stringify(value)
}

function parseBoolean(names: InputNames, name: InputName, given: string): boolean {
  const raw = given === '' ? defaultOf(name) : given
  if (TRUE.includes(raw)) return true
  if (FALSE.includes(raw)) return false
  throw new InputError(
    name,
    `${names.label(name)} is ${quoted(raw)}; accepted: true or false (also True, TRUE, False, FALSE).`
  )
}

function parseDurationInput(names: InputNames, name: InputName, raw: string, min: number, max: number): number {
  const text = raw === '' ? defaultOf(name) : raw
  const ms = parseDuration(text)
  const accepted =
    `a number of seconds or a duration like 45s, 30m, 1h30m, from ${formatDuration(min)} to ` + `${formatDuration(max)}`
  if (ms === undefined || ms < min || ms > max) {
    throw new InputError(name, `${names.label(name)} is ${quoted(text)}; accepted: ${accepted}.`)
  }
  return ms
}

function parseTool(names: InputNames, raw: string, env: NodeJS.ProcessEnv): string {
  const fromRepository = (env.GITHUB_REPOSITORY ?? '').split('/')[1] || env.CI_PROJECT_NAME || ''
  const tool = raw === '' ? fromRepository : raw
  if (DNS_LABEL.test(tool)) return tool
  const accepted = 'a Toolforge tool name: 1 to 63 lowercase letters, digits or "-", not starting or ending with "-"'
  if (raw === '') {
    const seen =
      tool === '' ? 'no repository name was available' : `the repository name ${quoted(tool)} is not a valid tool name`
    throw new InputError(
      'tool',
      `${names.label('tool')} is not set and ${seen}; set ${names.ref('tool')} to ${accepted}.`
    )
  }
  throw new InputError('tool', `${names.label('tool')} is ${quoted(raw)}; accepted: ${accepted}.`)
}

function parseToken(names: InputNames, raw: string): string {
  const label = names.label('token')
  if (raw === '') {
    throw new InputError(
      'token',
      `${label} is ${names.tokenUnset ? 'not set' : 'empty'}; accepted: the tool's deploy token (create one with ` +
        `\`toolforge components deploy-token create\`), ${names.tokenSource}.`
    )
  }
  if (/\s/.test(raw)) {
    throw new InputError(
      'token',
      `${label} contains white space; accepted: the deploy token alone, without spaces or line breaks (check the ` +
        `secret for a trailing newline).`
    )
  }
  // Deploy tokens are UUIDs; allowing only these characters makes every encoding of the
  // token that a server could echo easy to recognise and mask.
  if (!TOKEN_CHARACTERS.test(raw)) {
    throw new InputError(
      'token',
      `${label} holds characters no deploy token has; accepted: letters, digits, ".", "_", "~" and "-" (deploy ` +
        `tokens are UUIDs).`
    )
  }
  // Masking a short one would hide every such run of letters in the output, and break it.
  if (!isMaskableToken(raw)) {
    throw new InputError(
      'token',
      `${label} is ${raw.length} characters long; accepted: the tool's deploy token, a UUID of 36 characters like ` +
        `${UUID_EXAMPLE} (at least ${MIN_TOKEN_LENGTH} characters).`
    )
  }
  return raw
}

/** A warning for a token that is not UUID-shaped, as Toolforge's deploy tokens are: it may still be one. */
function tokenWarning(names: InputNames, token: string): string | undefined {
  if (token === '' || UUID.test(token)) return undefined
  return (
    `${names.label('token')} is not shaped like a deploy token: Toolforge's are UUIDs of 36 characters, like ` +
    `${UUID_EXAMPLE}. The run goes on with it; check the secret if Toolforge refuses it.`
  )
}

/**
 * Whether a token may be masked: long enough that masking it hides nothing else. A
 * shorter one is refused before it reaches any mask.
 */
export function isMaskableToken(token: string): boolean {
  return token.length >= MIN_TOKEN_LENGTH
}

/**
 * The URL, when it is one the run may send a request to: https (or http on this machine), no credentials; a query or
 * fragment only where allowed.
 */
function acceptableUrl(text: string, allowQuery = false): URL | undefined {
  if (!URL.canParse(text)) return undefined
  const url = new URL(text)
  const localOrHttps = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url))
  return localOrHttps && !url.username && !url.password && (allowQuery || (!url.search && !url.hash)) ? url : undefined
}

function parseApiUrl(names: InputNames, raw: string): string {
  const text = raw === '' ? defaultOf('api-url') : raw
  const accepted =
    'the https:// address of the Toolforge API gateway, like https://api.svc.toolforge.org (plain http:// only for ' +
    'this machine: localhost, 127.0.0.1 or another 127.x.x.x address, or [::1]), without credentials, query or ' +
    'fragment'
  const url = acceptableUrl(text)
  if (!url) {
    throw new InputError('api-url', `${names.label('api-url')} is ${quoted(text)}; accepted: ${accepted}.`)
  }
  const path = url.pathname.replace(/\/+$/, '')
  if (/\/components(\/v1)?$/.test(path)) {
    const cut = path.lastIndexOf('/components')
    throw new InputError(
      'api-url',
      `${names.label('api-url')} is ${quoted(text)}, which already ends in ${quoted(path.slice(cut))}; give the ` +
        `gateway's root, ${quoted(`${url.origin}${path.slice(0, cut)}`)}: /components/v1/... is added to it.`
    )
  }
  return `${url.origin}${path}`
}

function parseDeployId(names: InputNames, raw: string): string | undefined {
  if (raw === '') return undefined
  if (DEPLOY_ID.test(raw)) return raw
  throw new InputError(
    'deploy-id',
    `${names.label('deploy-id')} is ${quoted(raw)}; accepted: empty, or a Toolforge deployment id like ` +
      `20250703-075322-5zxh2hip26.`
  )
}

function parseOnConflict(names: InputNames, raw: string): 'wait' | 'fail' {
  const value = raw === '' ? defaultOf('on-conflict') : raw
  if (value === 'wait' || value === 'fail') return value
  throw new InputError(
    'on-conflict',
    `${names.label('on-conflict')} is ${quoted(raw)}; accepted: ${inputSpec('on-conflict').options!.join(' or ')}.`
  )
}

export const MAX_RETRIES = 5

function parseRetries(names: InputNames, raw: string): number {
  const text = raw || defaultOf('retries')
  if (/^\d+$/.test(text) && Number(text) <= MAX_RETRIES) return Number(text)
  throw new InputError(
    'retries',
    `${names.label('retries')} is ${quoted(raw)}; accepted: a whole number from 0 to ${MAX_RETRIES}.`
  )
}

function parseCheck(names: InputNames, given: string): 'auto' | 'off' | URL {
  const raw = given === '' ? defaultOf('check') : given
  if (raw === 'auto') return 'auto'
  if (raw === 'off') return 'off'
  const accepted =
    `auto (the tool's address, when a component publishes one), off, or an https:// URL to ask ` +
    `(http:// only for localhost, 127.x.x.x or [::1]), without credentials`
  const url = acceptableUrl(raw, true)
  if (!url) {
    throw new InputError('check', `${names.label('check')} is ${quoted(raw)}; accepted: ${accepted}.`)
  }
  return url
}

/** Long enough for a version line or a commit; a serving check reads only the answer's first 64 KiB. */
export const MAX_CHECK_EXPECT = 1_000
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i

function parseCheckExpect(names: InputNames, raw: string, check: Settings['check']): string | undefined {
  if (raw === '') return undefined
  if (check === 'off') {
    throw new InputError(
      'check-expect',
      `${names.label('check-expect')} is set, but ${names.ref('check')} is off; accepted: check-expect with check ` +
        `auto or a URL, or no check-expect.`
    )
  }
  if (raw.length > MAX_CHECK_EXPECT || /[\r\n]/.test(raw)) {
    throw new InputError(
      'check-expect',
      `${names.label('check-expect')} is ${raw.length} characters long or holds a line break; accepted: one line of ` +
        `at most ${MAX_CHECK_EXPECT} characters.`
    )
  }
  return raw
}

/**
 * The commit CI runs for, when this is a CI run for a commit of a repository: not for a
 * pull or merge request's merge commit, which no branch holds.
 */
function workflowCommit(env: NodeJS.ProcessEnv): ExpectedCommit | undefined {
  const sha = env.GITHUB_SHA || env.CI_COMMIT_SHA || ''
  if (!FULL_SHA.test(sha)) return undefined
  if (env.GITHUB_SHA) {
    if (!env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY || (env.GITHUB_EVENT_NAME ?? '').startsWith('pull_request'))
      return undefined
    return {
      sha: sha.toLowerCase(),
      source: 'workflow',
      repository: `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
    }
  }
  if (!env.CI_PROJECT_URL || env.CI_MERGE_REQUEST_EVENT_TYPE === 'merged_result') return undefined
  return { sha: sha.toLowerCase(), source: 'workflow', repository: env.CI_PROJECT_URL }
}

function parseExpectCommit(
  names: InputNames,
  raw: string,
  env: NodeJS.ProcessEnv,
  deployId: string | undefined
): ExpectedCommit | undefined {
  if (raw === '') return deployId === undefined ? workflowCommit(env) : undefined
  if (FULL_SHA.test(raw) && deployId !== undefined) {
    // The commit is read right after the creation; later, the ref may name another one.
    throw new InputError(
      'expect-commit',
      `${names.label('expect-commit')} is set, but ${names.ref('deploy-id')} follows a deployment created earlier, ` +
        `whose commit cannot be told any more; accepted: expect-commit on the run that creates the deployment.`
    )
  }
  if (FULL_SHA.test(raw)) return { sha: raw.toLowerCase(), source: 'input' }
  throw new InputError(
    'expect-commit',
    `${names.label('expect-commit')} is ${quoted(raw)}; accepted: empty (compare with this CI run's own commit, as a ` +
      `warning), or a full commit SHA of 40 hexadecimal digits (64 in a SHA-256 repository), not a branch, tag or ` +
      `short SHA.`
  )
}

export const TOOL_URL_VARIABLE = 'TOOLFORGE_TOOL_URL'

/**
 * The tool's web address: https://<tool>.toolforge.org/, or what TOOLFORGE_TOOL_URL says
 * (`{tool}` replaced by the tool's name), for another Toolforge or for tests. With an API
 * on this machine (a simulator), the tools are at `/tools/<tool>/` on the same address:
 * nothing is ever asked of the real Toolforge on its behalf.
 */
function toolAddress(tool: string, apiUrl: string, env: NodeJS.ProcessEnv): string {
  const api = new URL(apiUrl)
  const template =
    env[TOOL_URL_VARIABLE] || (isLoopbackHost(api) ? `${api.origin}/tools/{tool}/` : 'https://{tool}.toolforge.org/')
  const url = acceptableUrl(template.replace(/\{tool\}/g, tool))
  if (!url) {
    throw new InputError(
      'tool-url',
      `${TOOL_URL_VARIABLE} is ${quoted(template)}; accepted: the tools' web address, https:// (http:// only for ` +
        `localhost, 127.x.x.x or [::1]), with {tool} for the tool's name, like https://{tool}.toolforge.org/.`
    )
  }
  return url.href
}

/** The config file, checked; one the run cannot read is a bad input. */
function readConfig(names: InputNames, file: string, env: NodeJS.ProcessEnv): CheckedConfig {
  const workspace = env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || process.cwd()
  try {
    return { file, ...checkConfigFile(file, workspace) }
  } catch (error) {
    if (!(error instanceof ConfigFileUnreadable)) throw error
    throw new InputError(
      'config-file',
      `${names.label('config-file')}: ${error.message}; accepted: the path of a components config (YAML or JSON) in ` +
        `the workspace.`
    )
  }
}

/**
 * Reads and checks every input, in the order they are documented, before anything is
 * sent anywhere. Throws InputError for a bad one, InputErrors when several are.
 */
export function readSettings(
  read: InputReader,
  env: NodeJS.ProcessEnv,
  names: InputNames = ACTION_INPUT_NAMES,
  program = 'toolforge/deploy-action'
): Settings {
  const errors: InputError[] = []
  // Each input is read whatever the others hold; a bad one stands in as `instead` so that the rest are checked too.
  const take = <T>(parse: () => T, instead: T): T => {
    try {
      return parse()
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      errors.push(error)
      return instead
    }
  }
  const tool = take(() => parseTool(names, read('tool').trim(), env), 'tool')
  const configFile = read('config-file').trim()
  const dryRun = take(() => parseBoolean(names, 'dry-run', read('dry-run').trim()), false)
  // Checking a config file alone needs no token: a pull request's workflow has none.
  const token = configFile && dryRun && read('token') === '' ? '' : take(() => parseToken(names, read('token')), '')
  const apiUrl = take(() => parseApiUrl(names, read('api-url').trim()), 'https://api.svc.toolforge.org')
  const forceBuild = take(() => parseBoolean(names, 'force-build', read('force-build').trim()), false)
  const forceRun = take(() => parseBoolean(names, 'force-run', read('force-run').trim()), false)
  const description = read('description').trim() || defaultDescription(env, program)
  const wait = take(() => parseBoolean(names, 'wait', read('wait').trim()), true)
  const timeoutMs = take(
    () => parseDurationInput(names, 'timeout', read('timeout').trim(), 1_000, MAX_TIMEOUT_MS),
    MAX_TIMEOUT_MS
  )
  const pollIntervalMs = take(
    () =>
      parseDurationInput(
        names,
        'poll-interval',
        read('poll-interval').trim(),
        MIN_POLL_INTERVAL_MS,
        MAX_POLL_INTERVAL_MS
      ),
    MIN_POLL_INTERVAL_MS
  )
  const deployId = take(() => parseDeployId(names, read('deploy-id').trim()), undefined)
  if (dryRun && deployId !== undefined) {
    errors.push(
      new InputError(
        'deploy-id',
        `${names.label('deploy-id')} is set, but ${names.ref('dry-run')} is true, which follows no deployment; ` +
          `accepted: a dry run without deploy-id, or deploy-id without dry-run.`
      )
    )
  }
  const onConflict = take(() => parseOnConflict(names, read('on-conflict').trim()), 'wait')
  const retries = take(() => parseRetries(names, read('retries').trim()), 0)
  const check = take(() => parseCheck(names, read('check').trim()), 'auto')
  const checkTimeoutMs = take(
    () => parseDurationInput(names, 'check-timeout', read('check-timeout').trim(), 1_000, MAX_CHECK_TIMEOUT_MS),
    MAX_CHECK_TIMEOUT_MS
  )
  const checkExpect = take(() => parseCheckExpect(names, read('check-expect').trim(), check), undefined)
  const expectCommit = take(() => parseExpectCommit(names, read('expect-commit').trim(), env, deployId), undefined)
  const config = configFile ? take(() => readConfig(names, configFile, env), undefined) : undefined
  if (errors.length === 1) throw errors[0]!
  if (errors.length > 1) throw new InputErrors(errors)
  return {
    tool,
    token,
    apiUrl,
    forceBuild,
    forceRun,
    description,
    wait,
    timeoutMs,
    pollIntervalMs,
    deployId,
    onConflict,
    retries,
    check,
    checkTimeoutMs,
    checkExpect,
    expectCommit,
    toolAddress: toolAddress(tool, apiUrl, env),
    dryRun,
    config,
    ...(runUrl(env) ? { runUrl: runUrl(env) } : {}),
    ...(tokenWarning(names, token) ? { tokenWarning: tokenWarning(names, token) } : {})
  }
}
