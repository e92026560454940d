// NestJS 12 packages are ES modules only, so Jest runs in its native ESM mode (see package.json:
// node --experimental-vm-modules) and ts-jest emits ESM. The build itself stays CommonJS, which
// Node >= 20.19 runs through require(esm).
// Unit tests sit next to the code (*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts).
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testEnvironment: 'node',
  transform,
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '\\.spec\\.ts$' },
    {
      ...common,
      displayName: 'e2e',
      rootDir: 'test',
      testRegex: '\\.e2e-spec\\.ts$',
    },
  ],
  // A global option (projects cannot set it). End-to-end tests start real processes, and on a busy
  // 2-core machine starting a server takes a few seconds.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/global-setup.js',
};
