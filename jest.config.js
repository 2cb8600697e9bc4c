/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/lib'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // The CEL evaluator the schema tests use ships as ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!@marcbachmann/cel-js/)'],
  testTimeout: 60000,
  // Many tests wait on child processes (the CLI, kubectl, openssl, key generation): two workers keep both cores busy.
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // One pool of throwaway RSA keys per run, which the suite's synths draw from instead of each minting its own.
  globalSetup: '<rootDir>/test/support/key-pool.ts',
  globalTeardown: '<rootDir>/test/support/key-pool-teardown.ts',
  // Synths print what they wrote; tests assert on files and warnings instead.
  silent: true,
};
