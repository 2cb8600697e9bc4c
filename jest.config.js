/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/examples'],
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/lib'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // The CEL evaluator and the Istio models the schema tests use ship as ES modules only.
  transformIgnorePatterns: ['/node_modules/(?!(@marcbachmann/cel-js|@kubernetes-models|is-cidr|cidr-regex)/)'],
  // The Istio models' packages export their files for `import` only, a condition Jest's CommonJS resolver
  // does not match: map their specifiers to the files.
  moduleNameMapper: {
    '^@kubernetes-models/(base|validate)$': '<rootDir>/node_modules/@kubernetes-models/$1/dist/index.js',
    '^@kubernetes-models/validate/runtime/(.*)$': '<rootDir>/node_modules/@kubernetes-models/validate/dist/runtime/$1.js',
    '^@kubernetes-models/(istio|apimachinery)/(.*)$': '<rootDir>/node_modules/@kubernetes-models/$1/$2',
  },
  testTimeout: 60000,
  // Many tests wait on child processes (the CLI, kubectl, openssl, key generation): two workers keep both cores busy.
  maxWorkers: 2,
  // After the framework is installed: it removes its scratch directory in afterAll.
  setupFilesAfterEnv: ['<rootDir>/test/support/setup-env.ts'],
  // One pool of throwaway RSA keys per run, which the suite's synths draw from instead of each minting its own.
  globalSetup: '<rootDir>/test/support/key-pool.ts',
  globalTeardown: '<rootDir>/test/support/key-pool-teardown.ts',
  // Synths print what they wrote; tests assert on files and warnings instead.
  silent: true,
};
