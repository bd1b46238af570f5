import { isLoopbackHost } from '../settings/addresses.js'
import { formatDuration } from '../settings/duration.js'
import {
  isSmartAdvertisement,
  parseAdvertisement,
  parseHeadFile,
  type AdvertisedRef,
  type HeadFile
} from './git-refs.js'
import { boundedGet, type GetAnswer } from './http-get.js'
import { withoutInvisibleMarkup } from './plain-text.js'
import type { Redactor } from './redact.js'

/**
 * A repository's refs over git's HTTP protocol, read as `git ls-remote` reads them but
 * without a git binary: `info/refs?service=git-upload-pack`, which a smart server answers
 * with its advertisement and a dumb one with its `info/refs` file (plus the `HEAD` file,
 * when the ref could be HEAD). Only https:// (http:// on this machine), no credentials,
 * redirects only within the same host, and a bounded answer.
 */

/** A list of refs longer than this is read only this far (a ref found in it is still found). */
export const MAX_REFS_BYTES = 4 * 1024 * 1024
const MAX_HEAD_BYTES = 1024
const MAX_REDIRECTS = 5

export class RefsUnavailable extends Error {
  override name = 'RefsUnavailable'
}

export interface ReadRefs {
  refs: AdvertisedRef[]
  /** The list was longer than MAX_REFS_BYTES. */
  truncated: boolean
}

export interface RefsRequest {
  /** Whether the dumb protocol's HEAD file is needed too. */
  wantHead: boolean
  timeoutMs: number
  signal: AbortSignal
}

export type RefsReader = (repository: string, request: RefsRequest) => Promise<ReadRefs>

/** The repository's address, when it may be asked; throws RefsUnavailable saying why not. */
function repositoryUrl(repository: string): URL {
  if (!URL.canParse(repository)) throw new RefsUnavailable('not a URL')
  const url = new URL(repository)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url))) {
    throw new RefsUnavailable(
      `only https:// repositories are asked, not ${url.protocol === 'http:' ? 'plain http://' : `${url.protocol}//`}`
    )
  }
  if (url.username || url.password) throw new RefsUnavailable('the address carries credentials, which are never sent')
  url.search = ''
  url.hash = ''
  return url
}

function statusReason(status: number): string {
  if (status === 401 || status === 403) return `HTTP ${status}: the repository is private or needs credentials`
  if (status === 404) return 'HTTP 404: no such repository'
  return `HTTP ${status}`
}

/**
 * Reads with `boundedGet`; a reason that quotes the git host (its `ERR` line) is made as
 * plain as API text and masked before it goes anywhere.
 */
export function gitRefsReader(userAgent: string, redact: Redactor): RefsReader {
  const read = plainReader(userAgent)
  return async (repository, request) => {
    try {
      return await read(repository, request)
    } catch (error) {
      if (error instanceof RefsUnavailable) throw new RefsUnavailable(redact(withoutInvisibleMarkup(error.message)))
      throw error
    }
  }
}

function plainReader(userAgent: string): RefsReader {
  return async (repository, { wantHead, timeoutMs, signal }) => {
    const deadline = Date.now() + timeoutMs
    const get = async (url: URL, maxBytes: number): Promise<GetAnswer> => {
      const answer = await boundedGet(url.href, {
        userAgent,
        timeoutMs: Math.max(1, deadline - Date.now()),
        signal,
        maxBytes
      })
      if (!answer)
        throw new RefsUnavailable(signal.aborted ? 'interrupted' : `no answer within ${formatDuration(timeoutMs)}`)
      return answer
    }
    let base = repositoryUrl(repository)
    base.pathname = base.pathname.replace(/\/+$/, '')
    let answer: GetAnswer
    for (let hops = 0; ; hops++) {
      const url = new URL(`${base.href}/info/refs?service=git-upload-pack`)
      answer = await get(url, MAX_REFS_BYTES)
      if (answer.status < 300 || answer.status >= 400 || answer.headers.location === undefined) break
      // As git does for this first request: the repository's address moves with the redirect.
      const target = new URL(answer.headers.location, url)
      if (target.host !== url.host || (target.protocol !== url.protocol && target.protocol !== 'https:'))
        throw new RefsUnavailable(`redirected to another host (${target.host})`)
      if (hops >= MAX_REDIRECTS) throw new RefsUnavailable('redirected too many times')
      if (!target.pathname.endsWith('/info/refs'))
        throw new RefsUnavailable('redirected somewhere that is not a repository')
      base = new URL(target.href)
      base.pathname = target.pathname.slice(0, -'/info/refs'.length)
      base.search = ''
    }
    if (answer.status !== 200) throw new RefsUnavailable(statusReason(answer.status))
    const contentType = answer.headers['content-type']
    let head: HeadFile | undefined
    if (wantHead && !isSmartAdvertisement(contentType)) {
      const file = await get(new URL(`${base.href}/HEAD`), MAX_HEAD_BYTES)
      if (file.status === 200) head = parseHeadFile(file.body.toString('utf8'))
    }
    const parsed = parseAdvertisement(answer.body, contentType, head, answer.truncated)
    if ('error' in parsed) throw new RefsUnavailable(parsed.error)
    return { refs: parsed.refs, truncated: answer.truncated }
  }
}
