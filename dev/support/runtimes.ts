/**
 * The Node.js that runs the action's bundle in tests and scripts. The action runs on
 * Node 24 (`runs.using: node24`); the command supports Node 20 and later. The finding and
 * first-use install live in prerequisites.js, beside the other things npm ci does not bring.
 */
export { ACTION_NODE_MAJOR, actionNode } from './prerequisites.js'
