/**
 * What the Components API accepts as a tool's components config, `config_version`
 * v1beta1, as its models check it (upstream commit dac7467, `components/models/
 * api_models.py`: `ToolConfig` and what it holds), without asking the server.
 *
 * The server's checks are pydantic's, in lax mode, and these follow them:
 * - Text fields take text only (`ref: 1.0` or `command: yes` is refused); whole-number
 *   fields take whole numbers, numbers with no fraction, booleans and digit strings; yes/no
 *   fields take booleans, 0 and 1, and the words true/false, yes/no, on/off, t/f, y/n, 1/0.
 * - Keys it does not know are skipped with a warning, not refused.
 * - A component is valid as a continuous one or as a scheduled one, whatever its
 *   `component_type` says (either word is accepted by both); its build is valid from
 *   source (`repository` and `ref`) or as a `reuse_from` of another component.
 * - `reuse_from` must name a component that builds from source.
 * The differential test (`__tests__/real-api/config.int.test.ts`) keeps these equal to the
 * real server's verdicts.
 */

export type ConfigPath = Array<string | number>

export interface ConfigProblem {
  /** Where in the config: the value the problem is about, or the mapping a key is missing from. */
  path: ConfigPath
  message: string
}

export interface ConfigCheck {
  /** Anything the server would refuse the config for. */
  errors: ConfigProblem[]
  /** Keys the server would skip, saying so. */
  warnings: ConfigProblem[]
}

export const CONFIG_RULES_UPSTREAM = { configVersion: 'v1beta1', commit: 'dac7467' } as const

type Value = unknown
type Rule = (value: Value) => string | undefined

const isMapping = (value: Value): value is Record<string, Value> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)

const text: Rule = (value) => (typeof value === 'string' ? undefined : 'must be text (put it in quotes)')

function wholeNumber(value: Value): number | undefined {
  if (typeof value === 'boolean') return Number(value)
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number(value)
  return undefined
}

const integer =
  (min?: number, max?: number): Rule =>
  (value) => {
    const n = wholeNumber(value)
    if (n === undefined) return 'must be a whole number'
    if (min !== undefined && n < min) return `must be at least ${min}`
    if (max !== undefined && n > max) return `must be at most ${max}`
    return undefined
  }

const YES_NO = new Set(['0', 'off', 'f', 'false', 'n', 'no', '1', 'on', 't', 'true', 'y', 'yes'])
const yesNo: Rule = (value) =>
  typeof value === 'boolean' ||
  value === 0 ||
  value === 1 ||
  (typeof value === 'string' && YES_NO.has(value.toLowerCase()))
    ? undefined
    : 'must be true or false'

const oneOf =
  (...choices: string[]): Rule =>
  (value) =>
    typeof value === 'string' && choices.includes(value)
      ? undefined
      : `must be ${choices
          .map((c) => `"${c}"`)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1')}`

const url =
  (...schemes: string[]): Rule =>
  (value) => {
    if (typeof value !== 'string') return 'must be a URL, as text'
    let parsed: URL
    try {
      parsed = new URL(value)
    } catch {
      return `must be a URL (${schemes.join(', ')}), not ${/^[^/:]+@[^:]+:/.test(value) ? 'an ssh address' : 'this'}`
    }
    if (!schemes.includes(parsed.protocol.slice(0, -1)))
      return `must be a ${schemes.join(', ').replace(/, ([^,]*)$/, ' or $1')} URL`
    return parsed.hostname ? undefined : 'must be a URL with a host'
  }

const matches =
  (pattern: RegExp, says: string): Rule =>
  (value) =>
    typeof value !== 'string' ? 'must be text' : pattern.test(value) ? undefined : says

interface Fields {
  required: Record<string, Rule>
  optional: Record<string, Rule>
}

const SOURCE_BUILD: Fields = {
  required: { repository: url('http', 'https', 'git'), ref: text },
  optional: { use_latest_versions: yesNo, use_deprecated_versions: yesNo }
}
const BUILD_REFERENCE: Fields = { required: { reuse_from: text }, optional: {} }

const COMMON_RUN: Record<string, Rule> = {
  cpu: text,
  emails: oneOf('none', 'all', 'onfinish', 'onfailure'),
  filelog: yesNo,
  filelog_stderr: text,
  filelog_stdout: text,
  memory: text,
  mount: oneOf('all', 'none')
}
const CONTINUOUS_RUN: Fields = {
  required: { command: text },
  optional: {
    ...COMMON_RUN,
    port: integer(),
    port_protocol: oneOf('tcp', 'udp'),
    publish: matches(/^\/$/, 'must be "/" (the only path Toolforge publishes for now)'),
    replicas: integer(1),
    health_check_script: text,
    health_check_http: text
  }
}
const SCHEDULED_RUN: Fields = {
  required: { command: text, schedule: text },
  optional: { ...COMMON_RUN, retry: integer(0, 5), timeout: integer(0) }
}
const COMPONENT_KEYS = ['build', 'run', 'component_type']

function fields(mapping: Record<string, Value>, rules: Fields, at: ConfigPath): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  for (const [key, rule] of Object.entries(rules.required)) {
    if (!(key in mapping)) problems.push({ path: at, message: `missing ${key}` })
    else problems.push(...problem(rule(mapping[key]), [...at, key]))
  }
  for (const [key, rule] of Object.entries(rules.optional))
    if (key in mapping) problems.push(...problem(rule(mapping[key]), [...at, key]))
  return problems
}

const problem = (message: string | undefined, path: ConfigPath): ConfigProblem[] => (message ? [{ path, message }] : [])

/** The continuous run's own checks, once its fields are right. */
function continuousChecks(run: Record<string, Value>, at: ConfigPath): ConfigProblem[] {
  const problems: ConfigProblem[] = []
  const udp = run.port_protocol === 'udp'
  if (run.health_check_script && run.health_check_http)
    problems.push({ path: at, message: 'has both health_check_script and health_check_http: keep one' })
  if (run.health_check_http && (('port' in run && !wholeNumber(run.port)) || udp))
    problems.push({ path: [...at, 'health_check_http'], message: 'needs a tcp port' })
  if (run.publish && !('port' in run)) problems.push({ path: [...at, 'publish'], message: 'needs port to be set' })
  if (run.publish && udp) problems.push({ path: [...at, 'publish'], message: 'needs port_protocol tcp' })
  return problems
}

function continuousRun(run: Record<string, Value>, at: ConfigPath): ConfigProblem[] {
  const problems = fields(run, CONTINUOUS_RUN, at)
  return problems.length > 0 ? problems : continuousChecks(run, at)
}

interface Checked {
  problems: ConfigProblem[]
  /** The keys of the form the server takes it for, when valid: the others it skips. */
  keys?: string[]
}

const keysOf = (rules: Fields) => [...Object.keys(rules.required), ...Object.keys(rules.optional)]

/**
 * Of two forms, the one the server takes: when both fit, the one with more of its keys
 * given (pydantic's smart union); when neither does, what is wrong with the one meant.
 */
function eitherForm(
  mapping: Record<string, Value>,
  first: [Fields, ConfigProblem[]],
  second: [Fields, ConfigProblem[]],
  meansSecond: boolean
): Checked {
  const given = (rules: Fields) => keysOf(rules).filter((key) => key in mapping).length
  const fits = [first, second].filter(([, problems]) => problems.length === 0)
  if (fits.length === 0) return { problems: meansSecond ? second[1] : first[1] }
  const [rules] = fits.length === 2 && given(second[0]) > given(first[0]) ? second : fits[0]!
  return { problems: [], keys: keysOf(rules) }
}

/** Whether the component builds from source or reuses another's build, and what is wrong with the build. */
function checkBuild(build: Value, at: ConfigPath): Checked & { reusing?: string } {
  if (!isMapping(build))
    return { problems: [{ path: at, message: 'must be a mapping: repository and ref, or reuse_from' }] }
  const checked = eitherForm(
    build,
    [SOURCE_BUILD, fields(build, SOURCE_BUILD, at)],
    [BUILD_REFERENCE, fields(build, BUILD_REFERENCE, at)],
    'reuse_from' in build
  )
  return checked.keys?.includes('reuse_from') ? { ...checked, reusing: build.reuse_from as string } : checked
}

function checkComponent(
  name: string,
  component: Value
): { problems: ConfigProblem[]; reusing?: string; unknown: ConfigProblem[] } {
  const at: ConfigPath = ['components', name]
  if (!isMapping(component))
    return { problems: [{ path: at, message: 'must be a mapping with build and run' }], unknown: [] }
  const problems: ConfigProblem[] = []
  const unknown = skipped(component, COMPONENT_KEYS, at)
  if ('component_type' in component)
    problems.push(...problem(oneOf('continuous', 'scheduled')(component.component_type), [...at, 'component_type']))
  let reusing: string | undefined
  if (!('build' in component)) problems.push({ path: at, message: 'missing build' })
  else {
    const build = checkBuild(component.build, [...at, 'build'])
    problems.push(...build.problems)
    reusing = build.reusing
    if (build.keys) unknown.push(...skipped(component.build as Record<string, Value>, build.keys, [...at, 'build']))
  }
  if (!('run' in component)) problems.push({ path: at, message: 'missing run' })
  else if (!isMapping(component.run))
    problems.push({ path: [...at, 'run'], message: 'must be a mapping, with at least command' })
  else {
    const run = component.run
    // Either way of running will do; what is wrong is told for the one the component means.
    const means = component.component_type === 'scheduled' || 'schedule' in run
    const checked = eitherForm(
      run,
      [CONTINUOUS_RUN, continuousRun(run, [...at, 'run'])],
      [SCHEDULED_RUN, fields(run, SCHEDULED_RUN, [...at, 'run'])],
      means
    )
    problems.push(...checked.problems)
    if (checked.keys) unknown.push(...skipped(run, checked.keys, [...at, 'run']))
  }
  return { problems, reusing, unknown }
}

/** The keys of `mapping` the server skips, saying so. */
function skipped(mapping: Record<string, Value>, known: string[], at: ConfigPath): ConfigProblem[] {
  return Object.keys(mapping)
    .filter((key) => !known.includes(key))
    .map((key) => ({ path: [...at, key], message: `unknown key ${key}: Toolforge skips it` }))
}

export function checkConfig(config: Value): ConfigCheck {
  if (!isMapping(config)) return { errors: [{ path: [], message: 'must be a mapping, with components' }], warnings: [] }
  const errors: ConfigProblem[] = []
  const warnings = skipped(config, ['config_version', 'source_url', 'components'], [])
  if ('config_version' in config && config.config_version !== null)
    errors.push(...problem(oneOf('v1beta1')(config.config_version), ['config_version']))
  if ('source_url' in config) errors.push(...problem(url('http', 'https')(config.source_url), ['source_url']))
  if (!('components' in config)) errors.push({ path: [], message: 'missing components' })
  else if (!isMapping(config.components))
    errors.push({ path: ['components'], message: 'must be a mapping of component names to components' })
  else if (Object.keys(config.components).length === 0)
    errors.push({ path: ['components'], message: 'must list at least one component' })
  else {
    const reusing = new Map<string, string>()
    for (const [name, component] of Object.entries(config.components)) {
      const checked = checkComponent(name, component)
      errors.push(...checked.problems)
      warnings.push(...checked.unknown)
      if (checked.reusing !== undefined) reusing.set(name, checked.reusing)
    }
    for (const [name, from] of reusing) {
      const at = ['components', name, 'build', 'reuse_from']
      if (!(from in config.components)) errors.push({ path: at, message: `names no component of this config: ${from}` })
      else if (reusing.has(from))
        errors.push({
          path: at,
          message: `names ${from}, which reuses a build itself: name the component that builds from source`
        })
    }
  }
  return { errors, warnings }
}
