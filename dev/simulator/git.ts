import { createHash } from 'node:crypto'

/**
 * The tools' git repositories, as far as Toolforge and the action read them: each tool's
 * `<tool>.git` answers `info/refs?service=git-upload-pack` as a smart git server does
 * (GitLab, GitHub), with a branch `main` and HEAD pointing to it. A test moves `main` to
 * another commit, as a push would.
 */
export class SimulatedRepositories {
  private readonly heads = new Map<string, string>()
  /** Repositories that answer as private ones do. */
  private readonly refused = new Set<string>()

  /** The commit `main` of the tool's repository is at: one of its own until a push moves it. */
  commitOf(tool: string): string {
    return this.heads.get(tool) ?? createHash('sha1').update(`simulated ${tool} main`).digest('hex')
  }

  push(tool: string, sha: string): void {
    this.heads.set(tool, sha)
  }

  makePrivate(tool: string): void {
    this.refused.add(tool)
  }

  /** The answer to a GET of `path` below `/git/`, or undefined when it is nothing of a repository. */
  answer(path: string): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
    const match = /^([a-z0-9-]+)\.git\/info\/refs\?service=git-upload-pack$/.exec(path)
    if (!match) return undefined
    const tool = match[1]!
    if (this.refused.has(tool))
      return {
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="git"' },
        body: Buffer.from('HTTP Basic: Access denied\n')
      }
    const sha = this.commitOf(tool)
    const line = (text: string) => `${(text.length + 4).toString(16).padStart(4, '0')}${text}`
    const body = [
      line('# service=git-upload-pack\n'),
      '0000',
      line(`${sha} HEAD\0multi_ack side-band-64k symref=HEAD:refs/heads/main agent=simulator\n`),
      line(`${sha} refs/heads/main\n`),
      '0000'
    ].join('')
    return {
      status: 200,
      headers: { 'content-type': 'application/x-git-upload-pack-advertisement', 'cache-control': 'no-cache' },
      body: Buffer.from(body)
    }
  }
}
