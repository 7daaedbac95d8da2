/** Tests run against real services (Temporal, S3, Docker) that `make test` brings up first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120_000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/reporters/summary.js'],
};
