import type { DeployOutcome } from '../engine/deploy.js'
import { MAX_REPOSITORIES, NOT_ASKED, type CommitReport, type ComponentCommit } from '../engine/deployed-commit.js'
import type { CommitCheck } from '../engine/expected-commit.js'
import type { Deployment } from '../engine/toolforge-types.js'
import { repositoryLabel } from '../settings/repository.js'
import { componentNames } from './components.js'

/**
 * Which commit the deployment builds, in words: one line per repository, ref and commit
 * ("web, cron: main @ 1a2b3c4 (gitlab.wikimedia.org/toolforge-repos/app)"), a notice per
 * repository that could not be read, and what a commit other than the expected one means.
 */

const short = (sha: string) => sha.slice(0, 7)
const refName = (c: ComponentCommit) => c.ref || 'HEAD'

/** Components that build the same thing, together, in the report's order. */
function groups(components: ComponentCommit[]): ComponentCommit[][] {
  const byKey = new Map<string, ComponentCommit[]>()
  for (const c of components) {
    const key = JSON.stringify([repositoryLabel(c.repository), refName(c), c.commit ?? '', c.reason ?? ''])
    byKey.set(key, [...(byKey.get(key) ?? []), c])
  }
  return [...byKey.values()]
}

/** "web, cron: main @ 1a2b3c4 (host/path)", or for a commit not known, "web: main (host/path), not resolved". */
export function commitLines(report: CommitReport): string[] {
  const lines = groups(report.components.filter((c) => c.reason !== NOT_ASKED)).map((group) => {
    const c = group[0]!
    const names = componentNames(
      group.map((g) => g.component),
      report.components.length
    )
    const where = `(${repositoryLabel(c.repository)})`
    return c.commit
      ? `${names}: ${refName(c)} @ ${short(c.commit)} ${where}`
      : `${names}: ${refName(c)} ${where}, not resolved`
  })
  return report.notAsked ? [...lines, notAskedLine(report)] : lines
}

/** The list cut: how many repositories, and of how many components, were not asked. */
function notAskedLine(report: CommitReport): string {
  const components = report.components.filter((c) => c.reason === NOT_ASKED).length
  const repositories = report.notAsked === 1 ? '1 more repository' : `${report.notAsked} more repositories`
  return (
    `${repositories} (${components === 1 ? '1 component' : `${components} components`}) not asked: at most ` +
    `${MAX_REPOSITORIES} are read for one deployment`
  )
}

/** One line per repository that could not be read, and why: never a failure of its own. */
export function commitNotices(report: CommitReport): string[] {
  const said = new Map<string, string>()
  for (const c of report.components) {
    if (c.commit || c.reason === NOT_ASKED) continue
    const key = `${repositoryLabel(c.repository)}: ${c.reason}`
    if (!said.has(key))
      said.set(
        key,
        `Could not tell which commit ${refName(c)} of ${repositoryLabel(c.repository)} is (${c.reason}); the ` +
          `deployment goes on without it.`
      )
  }
  return [...said.values(), ...(report.notAsked ? [`${notAskedLine(report)}; their commits are not known.`] : [])]
}

/**
 * The warning when the deployment builds another commit of the workflow's own repository than the workflow's: it only
 * informs.
 */
export function workflowCommitWarning(outcome: DeployOutcome): string | undefined {
  const check = outcome.commitCheck
  return check?.expected.source === 'workflow' && check.result === 'differs'
    ? commitMismatch(check, outcome.deployment)
    : undefined
}

const REUSED = 'Reusing existing build'

/** "1a2b3c4 (main of host/path)" for each distinct commit the components build. */
function deployedCommits(components: ComponentCommit[]): string {
  const texts = [
    ...new Set(components.map((c) => `${short(c.commit!)} (${refName(c)} of ${repositoryLabel(c.repository)})`))
  ]
  return texts.join(' and ')
}

/**
 * The deployed commit set beside the expected one: "Toolforge deployed 1a2b3c4 (main of
 * host/path), not 9f8e7d6". Undefined when they match or nothing was compared.
 */
export function commitMismatch(check: CommitCheck | undefined, deployment: Deployment | undefined): string | undefined {
  if (!check || check.result === 'matches') return undefined
  const expected =
    check.expected.source === 'input'
      ? `${short(check.expected.sha)} (expect-commit)`
      : `${short(check.expected.sha)}, the commit this run is for`
  if (check.result === 'unknown') {
    if (check.components.length === 0)
      return `no component builds from a git repository, so the commit ${expected} cannot be confirmed`
    const why = [...new Set(check.components.map((c) => `${c.component}: ${c.reason}`))].join('; ')
    return `could not tell which commit Toolforge deployed, so ${expected} is not confirmed (${why})`
  }
  // A reused build means the ref named a commit Toolforge had built before: it has not moved since.
  const reused = check.components.filter(
    (c) => deployment?.builds[c.reuseFrom ?? c.component]?.build_long_status === REUSED
  )
  const note =
    reused.length > 0
      ? `; ${reused.map((c) => c.component).join(', ')} reused an earlier build of it, so the ref had not moved since`
      : ''
  return `Toolforge deployed ${deployedCommits(check.components)}, not ${expected}${note}`
}
