/** Runs the suites as native ES modules (agenda is ESM-only), compiled by swc. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  // Agenda keeps a ref'd watchdog timer (lockLifetime / 2, minutes) for every job it ran, even after the job
  // finished and the queue was drained; everything of ours is closed by the suites, so the run may end here.
  forceExit: true,
};
