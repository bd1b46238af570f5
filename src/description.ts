/**
 * The text stored with the deployment when none is given: enough for a maintainer
 * looking at `toolforge components deployment list` to find the CI run that deployed.
 */
export function defaultDescription(env: NodeJS.ProcessEnv): string {
  const repository = env.GITHUB_REPOSITORY
  if (!repository) return 'Deployed by toolforge/deploy-action'
  const parts = [`Deployed by GitHub Actions from ${repository}`]
  if (env.GITHUB_SHA) parts[0] += `@${env.GITHUB_SHA.slice(0, 7)}`
  if (env.GITHUB_REF_NAME) parts.push(`ref ${env.GITHUB_REF_NAME}`)
  if (env.GITHUB_ACTOR) parts.push(`by ${env.GITHUB_ACTOR}`)
  if (env.GITHUB_RUN_ID) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''
    parts.push(`run ${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`)
  }
  return parts.join(', ')
}
