import { repositoryKey } from '../settings/repository.js'
import type { ExpectedCommit } from '../settings/settings.js'
import type { CommitReport, ComponentCommit } from './deployed-commit.js'

/**
 * Whether the deployment builds the commit it should. Given as expect-commit, every
 * component built from a repository must build it; for the workflow's own commit, only
 * those built from the workflow's own repository (others build something else on
 * purpose).
 */
export type CommitCheck =
  | { result: 'matches'; expected: ExpectedCommit }
  /** `components`: those that build another commit. */
  | { result: 'differs'; expected: ExpectedCommit; components: ComponentCommit[] }
  /** `components`: those whose commit is not known (empty: no component builds from a repository). */
  | { result: 'unknown'; expected: ExpectedCommit; components: ComponentCommit[] }

/** Undefined when nothing is to be compared: no expectation, or no component from the workflow's repository. */
export function compareCommit(report: CommitReport, expected: ExpectedCommit | undefined): CommitCheck | undefined {
  if (!expected) return undefined
  const own = expected.source === 'workflow' ? repositoryKey(expected.repository) : undefined
  const relevant =
    own === undefined ? report.components : report.components.filter((c) => repositoryKey(c.repository) === own)
  if (expected.source === 'workflow' && relevant.length === 0) return undefined
  const differs = relevant.filter((c) => c.commit !== undefined && c.commit !== expected.sha)
  if (differs.length > 0) return { result: 'differs', expected, components: differs }
  const unknown = relevant.filter((c) => c.commit === undefined)
  if (unknown.length > 0 || relevant.length === 0) return { result: 'unknown', expected, components: unknown }
  return { result: 'matches', expected }
}
