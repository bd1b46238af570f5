/**
 * Ends every jest run with one plain line, `N passed, M failed`, so that a run which
 * executed no test is visible as such in any log. Printed at exit, after jest's own
 * summary, so that it is the last line.
 */
export default class CountReporter {
  onRunComplete(_contexts, results) {
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed\n`
    process.once('exit', () => process.stdout.write(line))
  }
}
