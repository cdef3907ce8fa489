/** Native ESM: run with node --experimental-vm-modules (see package.json "test"). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2023',
      },
      module: { type: 'es6' },
    }],
  },
  moduleNameMapper: {
    '^#engine$': '<rootDir>/libs/engine/src/index.ts',
    '^#http$': '<rootDir>/libs/http/src/index.ts',
    '^#conformance$': '<rootDir>/libs/conformance/src/index.ts',
    '^#providers/(.*)$': '<rootDir>/libs/providers/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  testMatch: ['<rootDir>/test/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'],
};
