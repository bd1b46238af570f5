import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../../dev/support/project-root.js'

/** The project's documentation: the README, CONTRIBUTING.md and every page in docs/. */
export function docFiles(): string[] {
  const pages = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`)
  return ['README.md', 'CONTRIBUTING.md', ...pages]
}

export const readDoc = (path: string) => readFileSync(join(ROOT, path), 'utf8')

/** Every ```yaml block of the documentation, with the file it is in. */
export function yamlBlocks(): Array<{ file: string; block: string }> {
  return docFiles().flatMap((file) =>
    [...readDoc(file).matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => ({ file, block: match[1]! }))
  )
}
