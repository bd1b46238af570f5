/**
 * The environment for git where tests and scripts commit: an identity of its own, so that
 * a machine without a configured one (a bare CI runner) commits all the same.
 */
export function gitEnv(more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@127.0.0.1',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@127.0.0.1',
    ...more
  }
}
