import { execFileSync } from 'node:child_process'
import { basename } from 'node:path'
import { repositoryLabel } from './repository.js'

/**
 * The text stored with the deployment when none is given: enough for a maintainer
 * looking at `toolforge components deployment list` to find what deployed: the CI run,
 * from GitHub Actions' or GitLab CI's environment, or the git checkout from a terminal:
 * its remote, commit and branch, never the local user or host name, which anyone with
 * access to the tool could read there.
 */
export function defaultDescription(
  env: NodeJS.ProcessEnv,
  program = 'toolforge/deploy-action',
  git: Git = systemGit
): string {
  if (env.GITHUB_REPOSITORY) return fromGitHub(env, env.GITHUB_REPOSITORY)
  if (env.GITHUB_ACTIONS !== 'true' && env.CI_PROJECT_PATH) return fromGitLab(env, env.CI_PROJECT_PATH)
  return fromShell(program, git) ?? `Deployed by ${program}`
}

/** Runs git in the current folder; undefined when it fails (no git, not a checkout). */
export type Git = (args: string[]) => string | undefined

const systemGit: Git = (args) => {
  try {
    return (
      execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2_000 }).trim() ||
      undefined
    )
  } catch {
    return undefined
  }
}

/**
 * A remote as the description may name it: its host and path only (`host/group/tool`), from
 * a URL or scp-like `user@host:path`; undefined for a local path or a file:// address,
 * which would name this machine's folders.
 */
export function remoteLabel(remote: string): string | undefined {
  const scp = /^(?:[^@/:]*@)?([^/:]+):(?!\/\/)(.+)$/.exec(remote)
  const url = scp && !/^[a-z]$/i.test(scp[1]!) ? `ssh://${scp[1]}/${scp[2]!.replace(/^\/+/, '')}` : remote
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || !URL.canParse(url)) return undefined
  const parsed = new URL(url)
  if (parsed.protocol === 'file:' || parsed.host === '') return undefined
  return repositoryLabel(`${parsed.protocol}//${parsed.host}${parsed.pathname}`)
}

/** From a terminal: the checkout's remote, commit and branch. */
function fromShell(program: string, git: Git): string | undefined {
  const sha = git(['rev-parse', 'HEAD'])
  if (!sha) return undefined
  const remote = git(['remote', 'get-url', 'origin'])
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'])
  const label = remote === undefined ? undefined : remoteLabel(remote)
  // Without a remote to name, the checkout's folder is the best name it has (most often the tool's).
  const folder = label ? undefined : basename(git(['rev-parse', '--show-toplevel']) ?? 'checkout')
  return describe(program, label ?? `the folder ${folder}`, sha, [['branch', branch === 'HEAD' ? undefined : branch]])
}

function describe(
  origin: string,
  repository: string,
  sha: string | undefined,
  details: Array<[string, string | undefined]>
): string {
  const parts = [`Deployed by ${origin} from ${repository}${sha ? `@${sha.slice(0, 7)}` : ''}`]
  for (const [label, value] of details) if (value) parts.push(`${label} ${value}`)
  return parts.join(', ')
}

/**
 * The address of the CI run deploying: the GitHub Actions run (its attempt) or the GitLab
 * pipeline, from the CI's own variables; undefined outside CI or when it is no web address.
 */
export function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  let url: string | undefined
  if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com'
    url = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`
  } else if (env.GITHUB_ACTIONS !== 'true' && env.CI_PROJECT_PATH) url = env.CI_PIPELINE_URL
  return url && /^https?:\/\/[^\s()<>[\]`]+$/.test(url) ? url : undefined
}

function fromGitHub(env: NodeJS.ProcessEnv, repository: string): string {
  return describe('GitHub Actions', repository, env.GITHUB_SHA, [
    ['ref', env.GITHUB_REF_NAME],
    ['by', env.GITHUB_ACTOR],
    ['run', runUrl(env)]
  ])
}

function fromGitLab(env: NodeJS.ProcessEnv, project: string): string {
  return describe('GitLab CI', project, env.CI_COMMIT_SHA, [
    ['ref', env.CI_COMMIT_REF_NAME],
    ['by', env.GITLAB_USER_LOGIN],
    ['pipeline', runUrl(env)]
  ])
}
