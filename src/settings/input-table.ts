/**
 * Every input of a run, once: its name, kind, default, accepted values, one-line
 * description, the command's flag and the environment variables it falls back to. The
 * parser (inputs.ts) and the command's flags and --help (cli/args.ts) read it at run
 * time; `npm run generate` writes action.yml, the GitLab component's spec and variables,
 * the plain GitLab template's list of variables and the README's tables from it, and a
 * test fails when one of them differs from what it generates.
 */

export type InputKind = 'text' | 'boolean' | 'duration' | 'choice' | 'secret'

export interface InputSpec {
  name: string
  kind: InputKind
  /** The default, as written in every front end ('' when empty). */
  default: string
  /** action.yml's default where it is an expression of the workflow's own. */
  actionDefault?: string
  /** The only values accepted (kind choice). */
  options?: readonly string[]
  /** One line, for action.yml, the component's spec and the README. */
  description: string
  /**
   * The command's flag: `--<name>` (`--no-<name>` when `negated`), with `value` its
   * argument's placeholder; none for the token, which is never a flag.
   */
  flag?: { value?: string; negated?: boolean; help?: string }
  /** The environment variables read when no flag is given, the first one set winning. */
  env: readonly string[]
  /**
   * Where the GitLab component differs: its default (GitLab's variables in it expand when the job runs), its
   * description, and the pattern GitLab checks the value against when it creates the pipeline.
   */
  component?: { default?: string; description?: string; regex?: string }
}

/** The variable of an option: `TOOLFORGE_DEPLOY_` and its name, `TOOLFORGE_DEPLOY_FORCE_BUILD`. */
export function optionVariable(name: string): string {
  return `TOOLFORGE_DEPLOY_${name.toUpperCase().replace(/-/g, '_')}`
}

const DURATION = 'a number of seconds or a duration like 45s, 30m, 1h30m'

const TABLE = [
  {
    name: 'tool',
    kind: 'text',
    default: '',
    actionDefault: '${{ github.event.repository.name }}',
    description:
      "The Toolforge tool to deploy. Empty: the repository's or project's name ($TOOL_NAME first, outside GitHub).",
    flag: { value: 'NAME' },
    env: [optionVariable('tool'), 'TOOL_NAME'],
    // The job's environment and resource group are named after the tool, so it must be known when the pipeline is made.
    component: {
      default: '$CI_PROJECT_NAME',
      description:
        "The Toolforge tool to deploy; by default the project's name. It also names the job's environment and " +
        'resource group, so that two tools of one project deploy side by side.'
    }
  },
  {
    name: 'token',
    kind: 'secret',
    default: '',
    description:
      "The tool's deploy token (toolforge components deploy-token create), from a secret or a masked variable, never " +
      'a flag. Needed for all but checking a config-file alone.',
    env: [optionVariable('token'), 'TOOLS_DEPLOY_TOKEN']
  },
  {
    name: 'api-url',
    kind: 'text',
    default: 'https://api.svc.toolforge.org',
    description:
      'The root of the Toolforge API gateway; /components/v1/... is added to it. https:// (http:// only for ' +
      'localhost, 127.x.x.x or [::1]).',
    flag: { value: 'URL' },
    env: [optionVariable('api-url')]
  },
  {
    name: 'force-build',
    kind: 'boolean',
    default: 'false',
    description: 'Build every component again, even if its commit was built before.',
    flag: {},
    env: [optionVariable('force-build')]
  },
  {
    name: 'force-run',
    kind: 'boolean',
    default: 'false',
    description: 'Restart every component, even if its run configuration did not change.',
    flag: {},
    env: [optionVariable('force-run')]
  },
  {
    name: 'description',
    kind: 'text',
    default: '',
    description:
      'Text stored with the deployment on Toolforge. Empty: one naming the CI run (or the git checkout), its commit ' +
      'and ref.',
    flag: { value: 'TEXT' },
    env: [optionVariable('description')]
  },
  {
    name: 'wait',
    kind: 'boolean',
    default: 'true',
    description: "Wait for Toolforge's final status (true), or end as soon as the deployment is created (false).",
    flag: { negated: true, help: 'End as soon as the deployment is created, without waiting for its final status.' },
    env: [optionVariable('wait')]
  },
  {
    name: 'timeout',
    kind: 'duration',
    default: '30m',
    description: `How long to wait for a final status, queueing included: ${DURATION}, at most 6h.`,
    flag: { value: 'DURATION' },
    env: [optionVariable('timeout')]
  },
  {
    name: 'poll-interval',
    kind: 'duration',
    default: '10s',
    description: 'The longest pause between two status checks, at least 1s; checks come sooner when the end is near.',
    flag: { value: 'DURATION' },
    env: [optionVariable('poll-interval')]
  },
  {
    name: 'deploy-id',
    kind: 'text',
    default: '',
    description: 'Create nothing; follow this existing deployment (like 20250703-075322-5zxh2hip26) instead.',
    flag: { value: 'ID' },
    env: [optionVariable('deploy-id')]
  },
  {
    name: 'on-conflict',
    kind: 'choice',
    default: 'wait',
    options: ['wait', 'fail'],
    description: 'When another deployment of the tool is in progress: wait for it (within timeout), or fail at once.',
    flag: { value: 'MODE' },
    env: [optionVariable('on-conflict')]
  },
  {
    name: 'retries',
    kind: 'text',
    default: '0',
    description:
      "How many more deployments to create, within timeout, when one fails for Toolforge's own reason (never for the " +
      "tool's): 0 to 5.",
    flag: { value: 'N' },
    env: [optionVariable('retries')],
    component: { regex: '^[0-5]$' }
  },
  {
    name: 'check',
    kind: 'text',
    default: 'auto',
    description:
      "After success, check that the web service answers: auto (the tool's address and health check, when a " +
      'component publishes one), off, or an https:// URL.',
    flag: { value: 'WHAT' },
    env: [optionVariable('check')],
    component: { regex: '^(auto|off|https?://[^ ]+)$' }
  },
  {
    name: 'check-timeout',
    kind: 'duration',
    default: '3m',
    description: 'How long the web service has to answer, counted after success; at most 1h.',
    flag: { value: 'DURATION' },
    env: [optionVariable('check-timeout')]
  },
  {
    name: 'check-expect',
    kind: 'text',
    default: '',
    description:
      'Text the checked answer must contain (in its first 64 KiB), such as the commit served at /version; until it ' +
      'does, the check goes on.',
    flag: { value: 'TEXT' },
    env: [optionVariable('check-expect')]
  },
  {
    name: 'expect-commit',
    kind: 'text',
    default: '',
    description:
      'A full commit SHA Toolforge must deploy, or the run fails. Empty: a warning when it deploys another commit of ' +
      "this CI run's repository than the run's.",
    flag: { value: 'SHA' },
    env: [optionVariable('expect-commit')]
  },
  {
    name: 'dry-run',
    kind: 'boolean',
    default: 'false',
    description:
      'Deploy nothing: only ask Toolforge, with one request, whether it accepts the deploy token for the tool.',
    flag: {},
    env: [optionVariable('dry-run')]
  },
  {
    name: 'config-file',
    kind: 'text',
    default: '',
    description:
      'A components config (YAML or JSON) of the checkout, checked as Toolforge would before anything is sent; with ' +
      'dry-run and no token, only that.',
    flag: { value: 'FILE' },
    env: [optionVariable('config-file')]
  }
] as const satisfies readonly InputSpec[]

export type InputName = (typeof TABLE)[number]['name']

export const INPUTS: ReadonlyArray<InputSpec & { name: InputName }> = TABLE

/** The input called `name`. */
export function inputSpec(name: InputName): InputSpec {
  return INPUTS.find((input) => input.name === name)!
}

/** What a run reports, as the action's outputs and (where it has one) the command's dotenv variable. */
export interface OutputSpec {
  name: string
  description: string
  dotenv?: string
}

const OUTPUT_TABLE = [
  {
    name: 'deploy_id',
    dotenv: 'DEPLOY_ID',
    description: 'The id of the deployment (like 20250703-075322-5zxh2hip26), set as soon as it exists.'
  },
  {
    name: 'status',
    dotenv: 'DEPLOY_STATUS',
    description:
      'The last status Toolforge reported: successful, failed, timed_out, cancelled, or the last one seen when the ' +
      'run stopped waiting; unknown for anything else.'
  },
  {
    name: 'long_status',
    dotenv: 'DEPLOY_LONG_STATUS',
    description: "Toolforge's long status text for the deployment (at most 2000 characters; 1000 in the dotenv file)."
  },
  {
    name: 'url',
    dotenv: 'DEPLOY_URL',
    description: "The tool's address, https://<tool>.toolforge.org/, for an environment's URL."
  },
  {
    name: 'deployment',
    description:
      'The last deployment Toolforge returned, as JSON without tool_config; texts shortened, at most 256 KiB ' +
      '(components past that counted in components_left_out).'
  },
  {
    name: 'check',
    dotenv: 'DEPLOY_CHECK',
    description:
      'The serving check after the deployment: passed, failed, interrupted (the run was cancelled during it) or ' +
      'skipped.'
  },
  {
    name: 'check_url',
    dotenv: 'DEPLOY_CHECK_URL',
    description: 'The address the serving check asked, when it asked one.'
  },
  {
    name: 'commit',
    dotenv: 'DEPLOY_COMMIT',
    description:
      "The full SHA of the commit Toolforge builds, read from the deployed config's repository and ref right after " +
      'the creation; empty when not one or not known.'
  },
  {
    name: 'outcome',
    dotenv: 'DEPLOY_OUTCOME',
    description:
      'How the run ended, in one word: successful, started, failed, timed-out, cancelled, not-serving, other-commit, ' +
      'stopped-waiting, interrupted, queued, refused, unreachable, unknown-creation, vanished, bad-input, …'
  },
  {
    name: 'failure',
    dotenv: 'DEPLOY_FAILURE',
    description:
      "Whose failure it was, in one word: tool (its build, run or serving), toolforge (Toolforge's own services, or " +
      "its API kept failing), timeout (this run's own), cancelled, or input (the inputs, refused before anything " +
      'was sent or by Toolforge for them); empty on success.'
  },
  {
    name: 'attempts',
    dotenv: 'DEPLOY_ATTEMPTS',
    description: 'How many deployments this run created: more than 1 when retries deployed again.'
  },
  {
    name: 'reason',
    dotenv: 'DEPLOY_REASON',
    description:
      "Why the run failed, in one line, as the summary says it (Toolforge's own reason when it gave one); empty " +
      'when it succeeded. At most 1000 characters.'
  }
] as const satisfies readonly OutputSpec[]

export type OutputName = (typeof OUTPUT_TABLE)[number]['name']

export const OUTPUTS: ReadonlyArray<OutputSpec & { name: OutputName }> = OUTPUT_TABLE
