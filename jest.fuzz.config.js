/**
 * Property-based fuzzing of the public endpoints and the bot's parser (npm run test:fuzz).
 * Same database set-up as the main suite (embedded, or a scratch database on DATABASE_URL);
 * kept out of `npm test`, whose testRegex does not match *.fuzz-spec.ts.
 * FUZZ_SEED changes the seed (default fixed), FUZZ_SCALE multiplies every property's runs.
 * @type {import('jest').Config}
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/fuzz'],
  testRegex: '.*\\.fuzz-spec\\.ts$',
  globalSetup: '<rootDir>/test/fuzz/support/fuzz-global-setup.ts',
  globalTeardown: '<rootDir>/test/fuzz/support/fuzz-global-teardown.ts',
  testTimeout: 10 * 60_000,
};
