/**
 * A repository's refs as git's HTTP protocol advertises them (`GET …/info/refs`), and
 * which commit a ref names there, as `git ls-remote URL REF` finds it: Toolforge resolves
 * a component's `build.ref` exactly that way when the build starts.
 */

export interface AdvertisedRef {
  name: string
  /** The object the ref points to: for an annotated tag, the tag object. */
  sha: string
  /** For an annotated tag, the commit it points to (the `^{}` line). */
  peeled?: string
}

export type Advertisement = { refs: AdvertisedRef[] } | { error: string }

const SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/
const SMART_TYPE = 'application/x-git-upload-pack-advertisement'

/** Whether the answer is the smart protocol's; anything else is read as the dumb one's `info/refs` file. */
export function isSmartAdvertisement(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === SMART_TYPE
}

/** The smart protocol's pkt-lines: 4 hex digits of length (themselves included), `0000` a flush. */
function pktLines(body: Buffer): { lines: Array<string | null>; error?: string } {
  const lines: Array<string | null> = []
  let at = 0
  while (at + 4 <= body.length) {
    const length = body.subarray(at, at + 4).toString('latin1')
    if (!/^[0-9a-f]{4}$/i.test(length)) return { lines, error: 'the answer is not in git pkt-lines' }
    const size = Number.parseInt(length, 16)
    if (size === 0) {
      lines.push(null)
      at += 4
      continue
    }
    // A line cut off by the size limit ends the list; the lines before it still count.
    if (size < 4 || at + size > body.length) break
    lines.push(
      body
        .subarray(at + 4, at + size)
        .toString('utf8')
        .replace(/\n$/, '')
    )
    at += size
  }
  return { lines }
}

/** What a dumb repository's `HEAD` file says: the branch it names, or a commit when detached. */
export type HeadFile = { symref: string } | { sha: string }

/** Refs in advertised order, annotated tags' commits joined to them, HEAD first when known. */
function collect(pairs: Array<[string, string]>, head: HeadFile | undefined): AdvertisedRef[] {
  const refs: AdvertisedRef[] = []
  const byName = new Map<string, AdvertisedRef>()
  for (const [sha, name] of pairs) {
    if (!SHA.test(sha)) continue
    if (name.endsWith('^{}')) {
      const tag = byName.get(name.slice(0, -3))
      if (tag) tag.peeled = sha
      continue
    }
    const ref = { name, sha }
    refs.push(ref)
    byName.set(name, ref)
  }
  if (head !== undefined && !byName.has('HEAD')) {
    const sha = 'sha' in head ? head.sha : byName.get(head.symref)?.sha
    if (sha) refs.unshift({ name: 'HEAD', sha })
  }
  return refs
}

function parseSmart(body: Buffer): Advertisement {
  const { lines, error } = pktLines(body)
  if (error) return { error }
  let i = 0
  // `# service=git-upload-pack` and its flush come first; some servers add `version 1`.
  if (lines[i]?.startsWith('# service=')) {
    i += 1
    while (lines[i] === null) i += 1
  }
  if (lines[i] === 'version 1') i += 1
  const pairs: Array<[string, string]> = []
  let head: HeadFile | undefined
  for (; i < lines.length && lines[i] !== null; i++) {
    const line = lines[i]!
    if (line.startsWith('ERR ')) return { error: `the server said: ${line.slice(4)}` }
    const [ref, capabilities] = line.split('\0')
    const space = ref!.indexOf(' ')
    if (space < 0) continue
    pairs.push([ref!.slice(0, space), ref!.slice(space + 1)])
    const symref = capabilities?.split(' ').find((c) => c.startsWith('symref=HEAD:'))
    if (symref) head = { symref: symref.slice('symref=HEAD:'.length) }
  }
  return { refs: collect(pairs, head) }
}

/** The dumb protocol's `info/refs` file: `<sha>\t<name>` per line. HEAD, a file of its own, is given apart. */
function parseDumb(body: Buffer, head: HeadFile | undefined, truncated: boolean): Advertisement {
  const text = body.toString('utf8')
  if (text.trim() !== '' && !/^[0-9a-f]{40,64}\t/.test(text)) return { error: 'the answer is not a list of git refs' }
  const lines = text.split('\n')
  // A line cut off by the size limit could name another ref (`refs/heads/main-old` as `…/main`).
  if (truncated) lines.pop()
  const pairs = lines.map((line) => line.split('\t')).filter((parts): parts is [string, string] => parts.length === 2)
  return { refs: collect(pairs, head) }
}

/**
 * Reads an `info/refs` answer, `truncated` when it was cut at a size limit. For the dumb
 * protocol, `head` is what the repository's `HEAD` file says, when it was read.
 */
export function parseAdvertisement(
  body: Buffer,
  contentType: string | undefined,
  head?: HeadFile,
  truncated = false
): Advertisement {
  return isSmartAdvertisement(contentType) ? parseSmart(body) : parseDumb(body, head, truncated)
}

/** What a `HEAD` file says: `ref: refs/heads/main`, or a commit when detached. */
export function parseHeadFile(text: string): HeadFile | undefined {
  const line = text.trim()
  const symref = /^ref: (refs\/\S+)$/.exec(line)
  if (symref) return { symref: symref[1]! }
  return SHA.test(line) ? { sha: line } : undefined
}

/** A longer `build.ref` is not looked up: no ref Toolforge could build is that long, and matching stays cheap. */
export const MAX_REF_PATTERN = 256

/** Whether `segment` (`?` matching any one character) matches `text` at `at`. */
function segmentAt(text: string, at: number, segment: string): boolean {
  if (at < 0 || at + segment.length > text.length) return false
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] !== '?' && segment[i] !== text[at + i]) return false
  }
  return true
}

/** The first place from `from` where `segment` matches and ends by `end`, or -1. */
function findSegment(text: string, segment: string, from: number, end: number): number {
  if (!segment.includes('?')) {
    const at = text.indexOf(segment, from)
    return at >= 0 && at + segment.length <= end ? at : -1
  }
  for (let at = from; at + segment.length <= end; at++) if (segmentAt(text, at, segment)) return at
  return -1
}

/**
 * A glob with `*` (any run, `/` included) and `?` (any one character), matched without a
 * regular expression: the pieces between stars are found leftmost, one after another,
 * which is exact for such globs, so the work grows with the text's length times the
 * pattern's, never exponentially, whatever the server's ref holds.
 */
export function globMatches(pattern: string, text: string): boolean {
  const segments = pattern.split('*')
  if (segments.length === 1) return pattern.length === text.length && segmentAt(text, 0, pattern)
  const first = segments[0]!
  const last = segments[segments.length - 1]!
  const end = text.length - last.length
  if (first.length > end || !segmentAt(text, 0, first) || !segmentAt(text, end, last)) return false
  let at = first.length
  for (const segment of segments.slice(1, -1)) {
    const found = findSegment(text, segment, at, end)
    if (found < 0) return false
    at = found + segment.length
  }
  return true
}

/**
 * ls-remote's matching: a pattern matches a ref whose name, after a `/` put in front,
 * ends in `/` + the pattern, `*` and `?` as wildcards that also match `/` (wildmatch
 * without WM_PATHNAME). `main` matches `refs/heads/main` and `refs/tags/main`.
 */
export function refMatcher(ref: string): (name: string) => boolean {
  const pattern = `*/${ref}`
  return (name) => globMatches(pattern, `/${name}`)
}

/**
 * Whether reading `info/refs` alone may not be enough: the ref could match HEAD, which the dumb protocol keeps apart.
 */
export function mayMatchHead(ref: string): boolean {
  return refMatcher(ref)('HEAD')
}

/**
 * The commit that `ref` names, as ls-remote's first matching line would give it (an
 * annotated tag's commit rather than the tag object); undefined when no ref matches.
 */
export function resolveRef(refs: AdvertisedRef[], ref: string): string | undefined {
  const matches = refMatcher(ref)
  const found = refs.find((r) => matches(r.name))
  return found ? (found.peeled ?? found.sha) : undefined
}
