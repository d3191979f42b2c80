/**
 * The reliability suite (docs/RELIABILITY.md): `npm run test:reliability`. Its spec is named
 * *.rel-spec.ts so that the default jest.config.js (spec / e2e-spec) never picks it up; it
 * needs a build in dist/ and a PostgreSQL server, and takes minutes.
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '.',
  roots: ['<rootDir>/test/reliability'],
  testRegex: '.*\\.rel-spec\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testEnvironment: 'node',
  maxWorkers: 1,
  // The run bounds itself to 10 minutes; this is the backstop.
  testTimeout: 11 * 60_000,
  verbose: true,
};
