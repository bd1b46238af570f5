/**
 * Turns the runner's cancellation (SIGINT, then SIGTERM 7.5 s later) into an abort, so
 * that the run stops waiting, reports what it knows and exits on its own. Returns a
 * function that removes the handlers.
 */
export function abortOnSignals(
  controller: AbortController,
  signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
): () => void {
  const handler = () => controller.abort()
  for (const signal of signals) process.on(signal, handler)
  return () => {
    for (const signal of signals) process.off(signal, handler)
  }
}
