import { actionNode } from './prerequisites.js'

/** Installs Node 24 when it is missing, once, before the test workers may need it. */
export default function globalSetup() {
  actionNode()
}
