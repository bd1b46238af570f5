import { repositoryKey, withoutUserinfo } from '../settings/repository.js'
import { RefsUnavailable, type RefsReader } from './git-http.js'
import { MAX_REF_PATTERN, mayMatchHead, resolveRef } from './git-refs.js'
import { flatLine } from './plain-text.js'
import { configComponents, isObject } from './toolforge-types.js'

/**
 * Which commit a deployment builds: each component's `build.ref` of `build.repository`
 * in the deployment's `tool_config`, resolved as Toolforge resolves it when the build
 * starts (`git ls-remote`). Asked right after the deployment is created, one request per
 * distinct repository, at most REFS_IN_FLIGHT at a time and MAX_REPOSITORIES in all,
 * within RESOLVE_TIMEOUT_MS and the run's own deadline.
 */

export const RESOLVE_TIMEOUT_MS = 10_000
/** A config with hundreds of repositories must not open hundreds of connections at once. */
export const REFS_IN_FLIGHT = 4
/** Repositories past this many are not asked: their components' commits stay unknown. */
export const MAX_REPOSITORIES = 20
export const NOT_ASKED = `not asked: at most ${MAX_REPOSITORIES} repositories are read for one deployment`

export interface ComponentSource {
  component: string
  repository: string
  /** As configured; an empty ref is HEAD, as for Toolforge. */
  ref: string
  /** The component whose build it reuses (`build.reuse_from`). */
  reuseFrom?: string
}

export interface ComponentCommit extends ComponentSource {
  /** The full SHA, when resolved. */
  commit?: string
  /** Why it was not. */
  reason?: string
}

export interface CommitReport {
  /** Every component built from a repository, by name. */
  components: ComponentCommit[]
  /** The one commit all of them deploy, when they all resolved to the same one. */
  commit?: string
  /** How many repositories were not asked, past MAX_REPOSITORIES. */
  notAsked?: number
}

/** The components that build from a repository, `reuse_from` ones taking their source's; sorted by name. */
export function sourcesOf(toolConfig: unknown): ComponentSource[] {
  const components = configComponents(toolConfig)
  const buildOf = (name: string) => {
    const component = components[name]
    return isObject(component) && isObject(component.build) ? component.build : undefined
  }
  const sources: ComponentSource[] = []
  for (const name of Object.keys(components).sort()) {
    const build = buildOf(name)
    const from = typeof build?.reuse_from === 'string' ? build.reuse_from : undefined
    const source = from === undefined ? build : buildOf(from)
    if (typeof source?.repository !== 'string') continue
    // Server text bound for the log: one line each, and an address without the credentials it may carry.
    const ref = typeof source.ref === 'string' ? flatLine(source.ref) : ''
    const repository = flatLine(withoutUserinfo(source.repository))
    sources.push({
      component: flatLine(name),
      repository,
      ref,
      ...(from === undefined ? {} : { reuseFrom: flatLine(from) })
    })
  }
  return sources
}

/** Runs `work` on each item, at most `limit` at a time; results in the items' order. */
async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

const refOf = (source: ComponentSource) => source.ref || 'HEAD'

/** The components of one repository, each ref resolved in one answer. Never throws. */
async function resolveGroup(
  group: ComponentSource[],
  read: RefsReader,
  signal: AbortSignal,
  until: number
): Promise<ComponentCommit[]> {
  const askable = group.filter((source) => refOf(source).length <= MAX_REF_PATTERN)
  const tooLong = { reason: `the ref is longer than ${MAX_REF_PATTERN} characters, so it was not looked up` }
  if (askable.length === 0) return group.map((source) => ({ ...source, ...tooLong }))
  const timeoutMs = until - Date.now()
  if (timeoutMs <= 0)
    return group.map((source) => ({ ...source, reason: 'not asked: the time for reading refs had run out' }))
  try {
    const { refs, truncated } = await read(group[0]!.repository, {
      wantHead: askable.some((source) => mayMatchHead(refOf(source))),
      timeoutMs,
      signal
    })
    return group.map((source) => {
      if (!askable.includes(source)) return { ...source, ...tooLong }
      const commit = resolveRef(refs, refOf(source))
      if (commit) return { ...source, commit }
      return {
        ...source,
        reason: truncated
          ? `the ref was not among the first ${refs.length} refs listed`
          : `the repository has no ref ${refOf(source)}`
      }
    })
  } catch (error) {
    const reason =
      error instanceof RefsUnavailable
        ? error.message
        : `the request failed (${error instanceof Error ? error.message : String(error)})`
    return group.map((source) => ({ ...source, reason: flatLine(reason) }))
  }
}

/**
 * One request per repository; each ref resolved in the answer, all within `budgetMs` (at
 * most RESOLVE_TIMEOUT_MS: less when the run's own deadline is nearer). Never throws.
 */
export async function resolveCommits(
  toolConfig: unknown,
  read: RefsReader,
  signal: AbortSignal,
  budgetMs = RESOLVE_TIMEOUT_MS
): Promise<CommitReport> {
  const sources = sourcesOf(toolConfig)
  const repositories = new Map<string, ComponentSource[]>()
  for (const source of sources) {
    const key = repositoryKey(source.repository) ?? source.repository
    repositories.set(key, [...(repositories.get(key) ?? []), source])
  }
  const groups = [...repositories.values()]
  const asked = groups.slice(0, MAX_REPOSITORIES)
  // One budget for the whole lookup, however many repositories wait their turn.
  const until = Date.now() + Math.min(RESOLVE_TIMEOUT_MS, budgetMs)
  const resolved = await inBatches(asked, REFS_IN_FLIGHT, (group) => resolveGroup(group, read, signal, until))
  const unasked = groups
    .slice(MAX_REPOSITORIES)
    .flat()
    .map((source): ComponentCommit => ({ ...source, reason: NOT_ASKED }))
  const components = [...resolved.flat(), ...unasked].sort((a, b) =>
    a.component < b.component ? -1 : a.component > b.component ? 1 : 0
  )
  const commits = new Set(components.map((c) => c.commit))
  const only = commits.size === 1 ? [...commits][0] : undefined
  const notAsked = groups.length - asked.length
  return { components, ...(only ? { commit: only } : {}), ...(notAsked > 0 ? { notAsked } : {}) }
}
