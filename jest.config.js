// Unit tests sit next to the code (*.spec.ts); end-to-end tests live in test/ (*.e2e-spec.ts).
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const common = { moduleFileExtensions: ['js', 'json', 'ts'], testEnvironment: 'node', transform };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', rootDir: 'src', testRegex: '\\.spec\\.ts$' },
    { ...common, displayName: 'e2e', rootDir: 'test', testRegex: '\\.e2e-spec\\.ts$' },
  ],
};
