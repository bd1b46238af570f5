import { repositoryKey } from '../settings/repository.js'
import { RefsUnavailable, type RefsReader } from './git-http.js'
import { mayMatchHead, resolveRef } from './git-refs.js'
import { configComponents, isObject } from './toolforge-types.js'

/**
 * Which commit a deployment builds: each component's `build.ref` of `build.repository`
 * in the deployment's `tool_config`, resolved as Toolforge resolves it when the build
 * starts (`git ls-remote`). Asked right after the deployment is created, one request per
 * distinct repository, all together, within RESOLVE_TIMEOUT_MS.
 */

export const RESOLVE_TIMEOUT_MS = 10_000

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
    const ref = typeof source.ref === 'string' ? source.ref : ''
    sources.push({ component: name, repository: source.repository, ref, ...(from === undefined ? {} : { reuseFrom: from }) })
  }
  return sources
}

/** One request per repository; each ref resolved in the answer. Never throws. */
export async function resolveCommits(toolConfig: unknown, read: RefsReader, signal: AbortSignal): Promise<CommitReport> {
  const sources = sourcesOf(toolConfig)
  const repositories = new Map<string, ComponentSource[]>()
  for (const source of sources) {
    const key = repositoryKey(source.repository) ?? source.repository
    repositories.set(key, [...(repositories.get(key) ?? []), source])
  }
  const resolved = await Promise.all(
    [...repositories.values()].map(async (group): Promise<ComponentCommit[]> => {
      const refOf = (source: ComponentSource) => source.ref || 'HEAD'
      try {
        const { refs, truncated } = await read(group[0]!.repository, {
          wantHead: group.some((source) => mayMatchHead(refOf(source))),
          timeoutMs: RESOLVE_TIMEOUT_MS,
          signal
        })
        return group.map((source) => {
          const commit = resolveRef(refs, refOf(source))
          if (commit) return { ...source, commit }
          return { ...source, reason: truncated ? `the ref was not among the first ${refs.length} refs listed` : `the repository has no ref ${refOf(source)}` }
        })
      } catch (error) {
        const reason = error instanceof RefsUnavailable ? error.message : `the request failed (${error instanceof Error ? error.message : String(error)})`
        return group.map((source) => ({ ...source, reason }))
      }
    })
  )
  const components = resolved.flat().sort((a, b) => (a.component < b.component ? -1 : a.component > b.component ? 1 : 0))
  const commits = new Set(components.map((c) => c.commit))
  const only = commits.size === 1 ? [...commits][0] : undefined
  return { components, ...(only ? { commit: only } : {}) }
}
