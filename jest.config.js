/** Native ESM: run with node --experimental-vm-modules (see package.json "test"). */
export default {
  testEnvironment: 'node',
  // End-to-end tests do real I/O on loopback (a 101 MB media stream, whole conformance runs): alone the
  // slowest take 2–6 s, and a busy 2-core machine makes that up to three times longer. Jest's default
  // 5 s failed them there; 30 s still ends a test that hangs. Time inside tests moves with the manual clock.
  testTimeout: 30_000,
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2023',
        },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: {
    '^#engine$': '<rootDir>/libs/engine/src/index.ts',
    '^#http$': '<rootDir>/libs/http/src/index.ts',
    '^#conformance$': '<rootDir>/libs/conformance/src/index.ts',
    '^#live$': '<rootDir>/libs/live/src/index.ts',
    '^#relay$': '<rootDir>/libs/relay/src/index.ts',
    '^#providers$': '<rootDir>/libs/providers/registry.ts',
    '^#providers/(.*)$': '<rootDir>/libs/providers/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
};
