/**
 * A git repository's address as people write it differently: `https://GitLab.example.org/Group/App.git/`
 * and `http://gitlab.example.org/group/app` are the same repository. Compared without
 * scheme, credentials, `.git`, trailing slashes and case; shown without scheme and `.git`.
 */

function parts(url: string): { host: string; path: string } | undefined {
  if (!URL.canParse(url)) return undefined
  const parsed = new URL(url)
  return { host: parsed.host, path: decodeURIComponent(parsed.pathname).replace(/\/+$/, '').replace(/\.git$/i, '').replace(/\/+$/, '') }
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
