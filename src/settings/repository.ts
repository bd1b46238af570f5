/**
 * A git repository's address as people write it differently: `https://GitLab.example.org/Group/App.git/`
 * and `http://gitlab.example.org/group/app` are the same repository. Compared without
 * scheme, credentials, `.git`, trailing slashes and case; shown without scheme and `.git`.
 */

/** The path with its escapes decoded, unless that would bring back a control character or a line end. */
function decodedPath(pathname: string): string {
  try {
    const decoded = decodeURIComponent(pathname)
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(decoded) ? pathname : decoded
  } catch {
    // A malformed escape (`%E0`) is shown as written.
    return pathname
  }
}

function parts(url: string): { host: string; path: string } | undefined {
  if (!URL.canParse(url)) return undefined
  const parsed = new URL(url)
  return {
    host: parsed.host,
    path: decodedPath(parsed.pathname)
      .replace(/\/+$/, '')
      .replace(/\.git$/i, '')
      .replace(/\/+$/, '')
  }
}

/** The form two addresses of one repository share, or undefined for what is not a URL. */
export function repositoryKey(url: string): string | undefined {
  const p = parts(url)
  return p && `${p.host}${p.path}`.toLowerCase()
}

/** `gitlab.wikimedia.org/toolforge-repos/app`: the address as a reader names the repository. */
export function repositoryLabel(url: string): string {
  const p = parts(url)
  return p ? `${p.host}${p.path}` : url
}

/**
 * The address without the user name and password it may carry, in both forms people
 * write: `https://user:pass@host/x.git` and scp-like `user@host:path`.
 */
export function withoutUserinfo(address: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return address.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1')
  return address.replace(/^[^@/:]*@(?=[^/:]+:)/, '')
}
