import { parseArgs } from 'node:util'
import type { InputNames } from '../settings/input-error.js'
import type { InputReader } from '../settings/inputs.js'

export const TOKEN_VARIABLE = 'TOOLFORGE_DEPLOY_TOKEN'

export const CLI_INPUT_NAMES: InputNames = {
  label: (name) => (name === 'token' ? TOKEN_VARIABLE : `--${name}`),
  ref: (name) => `--${name}`,
  tokenSource: `in the ${TOKEN_VARIABLE} environment variable (in GitLab, a masked CI/CD variable); it is never taken from a flag, so that it stays out of process lists and shell history`
}

export const USAGE = `Usage: toolforge-deploy [options]

Deploys a Toolforge tool through the Components API and waits until Toolforge has
finished: every component built and restarted. The deploy token is read from the
${TOKEN_VARIABLE} environment variable (create it with
\`toolforge components deploy-token create\`).

Options:
  --tool NAME            the tool (default: the repository or project name in CI)
  --api-url URL          API gateway root (default: https://api.svc.toolforge.org)
  --force-build          rebuild even if the commit was built before
  --force-run            restart components even if their run config did not change
  --description TEXT     stored with the deployment (default: names the CI run)
  --no-wait              return as soon as the deployment is created
  --timeout DURATION     how long to wait, e.g. 45s, 30m, 1h30m (default: 30m, at most 6h)
  --poll-interval DUR    longest pause between status checks (default: 10s, at least 1s)
  --on-conflict MODE     wait (default) or fail, when another deployment is in progress
  --deploy-id ID         follow this existing deployment instead of creating one
  --json                 print the final deployment as JSON on stdout, the rest on stderr
  --dotenv FILE          write DEPLOY_ID, DEPLOY_STATUS and DEPLOY_URL to FILE
                         (for GitLab's artifacts:reports:dotenv)
  --verbose              show every status check
  --help                 show this help
  --version              show the version

Exit codes:
  0  the deployment is successful (or created, with --no-wait)
  1  the deployment failed, timed out or was cancelled on Toolforge
  2  bad usage or input
  3  gave up waiting (--timeout) or was interrupted; the deployment goes on
  4  Toolforge refused (401, 404, 409 with --on-conflict fail) or could not be reached

Environment: NO_COLOR disables colours; GITLAB_CI=true folds the wait into a section.
`

export interface CliOptions {
  read: InputReader
  json: boolean
  dotenv: string | undefined
  verbose: boolean
  help: boolean
  version: boolean
}

/** Thrown for flags that are not options of the command. */
export class UsageError extends Error {}

/** Reads the flags; the token comes from the environment only. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
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
        json: { type: 'boolean' },
        dotenv: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
        token: { type: 'string' }
      }
    }))
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] : String(error))
  }
  if (values.token !== undefined) {
    throw new UsageError(`--token is not accepted: pass the deploy token in the ${TOKEN_VARIABLE} environment variable.`)
  }
  const flags: Record<string, string> = {
    token: env[TOKEN_VARIABLE] ?? '',
    'force-build': values['force-build'] ? 'true' : '',
    'force-run': values['force-run'] ? 'true' : '',
    wait: values['no-wait'] ? 'false' : ''
  }
  for (const name of ['tool', 'api-url', 'description', 'timeout', 'poll-interval', 'on-conflict', 'deploy-id']) {
    const value = values[name]
    if (typeof value === 'string') flags[name] = value
  }
  return {
    read: (name) => flags[name] ?? '',
    json: values.json === true,
    dotenv: typeof values.dotenv === 'string' ? values.dotenv : undefined,
    verbose: values.verbose === true,
    help: values.help === true,
    version: values.version === true
  }
}

