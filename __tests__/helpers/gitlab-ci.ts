import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parse, stringify } from 'yaml'
import { ROOT } from '../../dev/support/project-root.js'
import { actionNode } from '../../dev/support/runtimes.js'

/**
 * Pipelines run as GitLab would run them, by gitlab-ci-local: GitLab's CI schema, its
 * `include` with `spec: inputs` interpolation, its predefined variables
 * (CI_DEFAULT_BRANCH, CI_PROJECT_NAME, CI_COMMIT_SHA, ...), rules, and dotenv reports
 * passed to later jobs. Jobs run in a shell on this machine (the image is not pulled).
 */

const GITLAB_CI_LOCAL = join(ROOT, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js')

export interface GitlabProject {
  dir: string
  /** Files of the project, committed on `branch`; `.gitlab-ci.yml` among them. */
  files: Record<string, string>
}

/**
 * A project cloned from Wikimedia's GitLab, as a runner sees it: a git repository whose
 * remote is `toolforge-repos/<name>` with default branch `defaultBranch`, checked out on `branch`.
 */
export function gitlabProject(
  name: string,
  files: Record<string, string>,
  { defaultBranch = 'main', branch = defaultBranch }: { defaultBranch?: string; branch?: string } = {}
): GitlabProject {
  const dir = join(mkdtempSync(join(tmpdir(), 'gitlab-')), name)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' })
  git('init', '-q', '-b', defaultBranch)
  git('remote', 'add', 'origin', `https://gitlab.wikimedia.org/toolforge-repos/${name}.git`)
  git('add', '-A')
  git('-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', 'commit', '-q', '-m', 'the project')
  git('update-ref', `refs/remotes/origin/${defaultBranch}`, 'HEAD')
  git('symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${defaultBranch}`)
  if (branch !== defaultBranch) git('checkout', '-q', '-b', branch)
  return { dir, files }
}

export interface PipelineRun {
  code: number | null
  output: string
  /** A job's log, as the runner shows it. */
  log(job: string): string
  /** A job's dotenv report, as later jobs receive it. */
  dotenv(job: string): string
}

/**
 * Runs the project's pipeline (or `jobs`) with the CI/CD variables a project would have
 * set in its settings; `env` is the runner's own environment.
 */
export async function runPipeline(
  project: GitlabProject,
  options: { variables?: Record<string, string>; env?: Record<string, string>; args?: string[] } = {}
): Promise<PipelineRun> {
  const home = mkdtempSync(join(tmpdir(), 'gitlab-home-'))
  const variables = join(home, 'project-variables.yml')
  writeFileSync(variables, stringify(options.variables ?? {}))
  const child = spawn(
    actionNode(),
    [
      GITLAB_CI_LOCAL,
      '--force-shell-executor',
      '--no-color',
      '--home',
      home,
      '--variables-file',
      variables,
      '--max-job-name-padding',
      '0',
      ...(options.args ?? [])
    ],
    {
      cwd: project.dir,
      env: { PATH: process.env.PATH ?? '', HOME: home, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  const state = join(project.dir, '.gitlab-ci-local')
  return {
    code,
    output,
    log: (job) => readFileSync(join(state, 'output', `${job}.log`), 'utf8'),
    dotenv: (job) => {
      const file = join(state, 'artifacts', job, '.gitlab-ci-reports', 'dotenv', 'deploy.env')
      return existsSync(file) ? readFileSync(file, 'utf8') : ''
    }
  }
}

/** The pipeline as GitLab would expand it (includes, inputs, extends), after checking it against GitLab's CI schema. */
export async function expandedPipeline(
  project: GitlabProject
): Promise<{ code: number | null; output: string; jobs: Record<string, unknown> }> {
  const run = await runPipeline(project, { args: ['--preview'] })
  const expanded = join(project.dir, '.gitlab-ci-local', 'expanded-gitlab-ci.yml')
  return {
    code: run.code,
    output: run.output,
    jobs: existsSync(expanded) ? (parse(readFileSync(expanded, 'utf8')) as Record<string, unknown>) : {}
  }
}
