import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'
import { isMap, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml'
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
      return {
        file,
        line,
        column: col,
        message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      }
    })
    return { errors: placed, warnings: [] }
  }
  const place = (problem: ConfigProblem): PlacedProblem => {
    const { key, node } = locate(document.contents, problem.path)
    // A missing key is told at the mapping's own key; a wrong value at its key too, which is on the same line in block
    // style.
    const offset = key?.range?.[0] ?? node?.range?.[0] ?? 0
    const { line, col } = at(offset)
    return { file, line, column: col, message: `${described(problem.path)}: ${problem.message}` }
  }
  let config: unknown
  try {
    config = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
  } catch {
    // Only the alias bound makes a parsed document fail to convert.
    const { line, col } = at(firstAlias(document))
    return {
      errors: [
        {
          file,
          line,
          column: col,
          message: `more than ${MAX_ALIAS_COUNT} aliases would be expanded, which no components config needs`
        }
      ],
      warnings: []
    }
  }
  const checked = checkConfig(config)
  return { errors: checked.errors.map(place), warnings: checked.warnings.map(place) }
}

/** Aliases expand: a few nested ones make gigabytes (a "billion laughs"). */
const MAX_ALIAS_COUNT = 100
/** Far above any components config; a bigger file is not read. */
export const MAX_CONFIG_BYTES = 1024 * 1024

/** Where the first alias is, to place the problem. */
function firstAlias(document: Document): number {
  let offset = 0
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0
      return visit.BREAK
    }
  })
  return offset
}

const isInside = (folder: string, path: string) => {
  const inside = relative(folder, path)
  return !inside.startsWith('..') && !isAbsolute(inside)
}

/** The file's text: a regular file inside the workspace, also once links are followed, of at most MAX_CONFIG_BYTES. */
function readRegularFile(file: string, full: string, workspace: string): string {
  let real: string
  try {
    real = realpathSync(full)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigFileUnreadable(
      code === 'ENOENT'
        ? `${file} does not exist in the workspace (${workspace})`
        : `${file} cannot be read (${code ?? 'error'})`
    )
  }
  if (!isInside(realpathSync(workspace), real))
    throw new ConfigFileUnreadable(`${file} is a link to a file outside the workspace`)
  let fd: number
  try {
    // Non-blocking: a FIFO or a device must not hold the run before it is refused.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    throw new ConfigFileUnreadable(`${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  try {
    const stat = fstatSync(fd)
    if (stat.isDirectory()) throw new ConfigFileUnreadable(`${file} is a directory`)
    if (!stat.isFile()) throw new ConfigFileUnreadable(`${file} is not a regular file`)
    if (stat.size > MAX_CONFIG_BYTES)
      throw new ConfigFileUnreadable(`${file} is ${stat.size} bytes, more than the ${MAX_CONFIG_BYTES} read`)
    const buffer = Buffer.alloc(stat.size)
    let read = 0
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read)
      if (n === 0) break
      read += n
    }
    return buffer.subarray(0, read).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** Reads `file` (relative to `workspace`, and inside it) and checks it. */
export function checkConfigFile(file: string, workspace: string): ConfigFileCheck {
  const full = resolve(workspace, file)
  if (!isInside(resolve(workspace), full))
    throw new ConfigFileUnreadable(`${file} is outside the workspace (${workspace})`)
  return checkConfigText(readRegularFile(file, full, workspace), file)
}
