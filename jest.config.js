import { testPrerequisites } from './dev/support/prerequisites.js'

// Test files whose prerequisites npm ci cannot install (the real server, rsync) are left
// out with one line saying why, unless CI requires them: then the run fails at once.
const prerequisites = testPrerequisites()
if (prerequisites.failures.length > 0) {
  for (const failure of prerequisites.failures) process.stderr.write(`error: ${failure}\n`)
  process.exit(1)
}

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...prerequisites.ignore],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  // Node 24 for the bundle tests, installed once before the workers start.
  globalSetup: '<rootDir>/dev/support/jest-global-setup.js',
  testTimeout: 60000,
  maxWorkers: 2,
  // Most integration tests wait on a child process or a server: more of them at once fill the idle CPU.
  maxConcurrency: 8,
  reporters: ['default', ['<rootDir>/dev/support/count-reporter.js', { notes: prerequisites.notes }]]
}
