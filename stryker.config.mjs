// Mutation testing of the engine, the report code and the settings against their unit tests
// (npm run mutation; Stryker runs from dev/mutation/stryker on Node 24). The HTML report is
// written outside the repository, to the folder MUTATION_REPORT_DIR names.
import { join } from 'node:path'
import { tmpdir } from 'node:os'

const reportDir = process.env.MUTATION_REPORT_DIR ?? join(tmpdir(), 'toolforge-deploy-mutation')

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // The settings are included because the input limits live there; the type-only and
  // stand-in modules hold nothing to mutate.
  mutate: [
    'src/engine/**/*.ts',
    'src/report/**/*.ts',
    'src/settings/**/*.ts',
    '!src/engine/toolforge-types.ts',
    '!src/engine/undici-stub.ts'
  ],
  // The sandbox needs the sources, tests and what they read, not the runtimes or the bundles.
  ignorePatterns: [
    '/dev/support/node24',
    '/dev/mutation/stryker/node_modules',
    '/dev/demo/local-action/node_modules',
    '/dist',
    '/.build',
    '/.preview',
    '/coverage',
    '/.stryker-tmp*',
    '/.cache'
  ],
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // The unit tests only: they run in milliseconds, and are what should catch a mutant.
    config: {
      testMatch: [
        '**/__tests__/engine/**/*.unit.test.ts',
        '**/__tests__/report/**/*.unit.test.ts',
        '**/__tests__/settings/**/*.unit.test.ts'
      ],
      reporters: ['default']
    },
    enableFindRelatedTests: false
  },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: 2,
  // A mutant that makes a test hang is caught by this timeout: 5 s beyond the test's own time.
  timeoutMS: 5_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: join(reportDir, 'mutation.html') },
  jsonReporter: { fileName: join(reportDir, 'mutation.json') },
  // A second run re-tests only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: join(reportDir, 'stryker-incremental.json'),
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null }
}
