/**
 * Ends every jest run with one plain line, `N passed, M failed`, so that a run which
 * executed no test is visible as such in any log. Printed at exit, after jest's own
 * summary, so that it is the last line; just before it, one line for each group of test
 * files left out because a prerequisite is missing (jest.config.js).
 */
export default class CountReporter {
  /** @param {unknown} _globalConfig  @param {{ notes?: string[] }} options */
  constructor(_globalConfig, options) {
    this.notes = options?.notes ?? []
  }

  onRunComplete(_contexts, results) {
    const lines = [...this.notes, `${results.numPassedTests} passed, ${results.numFailedTests} failed`]
    process.once('exit', () => process.stdout.write(`${lines.join('\n')}\n`))
  }
}
