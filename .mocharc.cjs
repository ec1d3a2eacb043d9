// Mocha runs TypeScript through tsx (esbuild).
module.exports = {
  'node-option': ['import=tsx'],
  require: ['./test/support/setup.ts'],
  extension: ['ts'],
  timeout: 20000,
  recursive: true,
  reporter: 'spec',
};
