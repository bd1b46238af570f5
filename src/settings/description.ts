/**
 * The text stored with the deployment when none is given: enough for a maintainer
 * looking at `toolforge components deployment list` to find the CI run that deployed,
 * from GitHub Actions' or GitLab CI's environment.
 */
export function defaultDescription(env: NodeJS.ProcessEnv, program = 'toolforge/deploy-action'): string {
  if (env.GITHUB_REPOSITORY) return fromGitHub(env, env.GITHUB_REPOSITORY)
  if (env.GITHUB_ACTIONS !== 'true' && env.CI_PROJECT_PATH) return fromGitLab(env, env.CI_PROJECT_PATH)
  return `Deployed by ${program}`
}

function describe(origin: string, repository: string, sha: string | undefined, details: Array<[string, string | undefined]>): string {
  const parts = [`Deployed by ${origin} from ${repository}${sha ? `@${sha.slice(0, 7)}` : ''}`]
  for (const [label, value] of details) if (value) parts.push(`${label} ${value}`)
  return parts.join(', ')
}

function fromGitHub(env: NodeJS.ProcessEnv, repository: string): string {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
  const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''
  const run = env.GITHUB_RUN_ID ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}${attempt}` : undefined
  return describe('GitHub Actions', repository, env.GITHUB_SHA, [
    ['ref', env.GITHUB_REF_NAME],
    ['by', env.GITHUB_ACTOR],
    ['run', run]
  ])
}

function fromGitLab(env: NodeJS.ProcessEnv, project: string): string {
  return describe('GitLab CI', project, env.CI_COMMIT_SHA, [
    ['ref', env.CI_COMMIT_REF_NAME],
    ['by', env.GITLAB_USER_LOGIN],
    ['pipeline', env.CI_PIPELINE_URL]
  ])
}
