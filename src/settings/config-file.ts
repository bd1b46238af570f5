import { readFileSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml'
import { checkConfig, type ConfigPath, type ConfigProblem } from './config-rules.js'

/**
 * A components config file in the workspace (YAML, or JSON, which is YAML too), checked
 * as the Components API checks it (config-rules.ts), each problem placed at the line of
 * the key it concerns. YAML is read as the server's PyYAML reads it: version 1.1 (`yes`
 * is true, `0777` octal), a repeated key keeping its last value.
 */

export interface PlacedProblem {
  /** The file, as given (relative to the workspace). */
  file: string
  line: number
  column: number
  message: string
}

export interface ConfigFileCheck {
  errors: PlacedProblem[]
  warnings: PlacedProblem[]
}

/** A config file that cannot be read at all: missing, a directory, outside the workspace. */
export class ConfigFileUnreadable extends Error {
  override name = 'ConfigFileUnreadable'
}

const described = (path: ConfigPath) => (path.length === 0 ? 'the config' : path.join('.'))

/** The node at `path`, and the key node that names it (the line a reader looks for). */
function locate(root: Node | null, path: ConfigPath): { key?: Node; node?: Node } {
  let node: unknown = root
  let key: Node | undefined
  for (const step of path) {
    if (!isMap(node)) return { key, node: node as Node }
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(step))
    if (!pair) return { key, node }
    key = pair.key as Node
    node = pair.value
  }
  return { key, node: (node ?? undefined) as Node | undefined }
}

export function checkConfigText(text: string, file: string): ConfigFileCheck {
  const lines = new LineCounter()
  const document = parseDocument(text, { version: '1.1', uniqueKeys: false, lineCounter: lines })
  const at = (offset: number) => lines.linePos(offset)
  if (document.errors.length > 0) {
    const placed = document.errors.map((error) => {
      const { line, col } = at(error.pos[0])
      return { file, line, column: col, message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') }
    })
    return { errors: placed, warnings: [] }
  }
  const place = (problem: ConfigProblem): PlacedProblem => {
    const { key, node } = locate(document.contents, problem.path)
    // A missing key is told at the mapping's own key; a wrong value at its key too, which is on the same line in block style.
    const offset = key?.range?.[0] ?? node?.range?.[0] ?? 0
    const { line, col } = at(offset)
    return { file, line, column: col, message: `${described(problem.path)}: ${problem.message}` }
  }
  const checked = checkConfig(document.toJS({ maxAliasCount: 100 }))
  return { errors: checked.errors.map(place), warnings: checked.warnings.map(place) }
}

/** Reads `file` (relative to `workspace`, and inside it) and checks it. */
export function checkConfigFile(file: string, workspace: string): ConfigFileCheck {
  const full = resolve(workspace, file)
  const inside = relative(resolve(workspace), full)
  if (inside.startsWith('..') || isAbsolute(inside)) throw new ConfigFileUnreadable(`${file} is outside the workspace (${workspace})`)
  let text: string
  try {
    text = readFileSync(full, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigFileUnreadable(code === 'ENOENT' ? `${file} does not exist in the workspace (${workspace})` : code === 'EISDIR' ? `${file} is a directory` : `${file} cannot be read (${code ?? 'error'})`)
  }
  return checkConfigText(text, file)
}
