/**
 * The dependency rule, checked by a program rather than by reviewers: dependencies point inward.
 * core/ and ports/ import no adapter, strategy or learner; ports/ import only core/domain (and each other).
 */
module.exports = {
  forbidden: [
    {
      name: 'core-and-ports-stay-inward',
      severity: 'error',
      comment: 'core/ and ports/ must not import adapters, strategies or learners (hexagonal dependency rule).',
      from: { path: '^(core|ports)/' },
      to: { path: '^(adapters|strategies|learners)/' },
    },
    {
      name: 'ports-import-only-domain',
      severity: 'error',
      comment: 'ports/ may import only core/domain and other ports.',
      from: { path: '^ports/' },
      to: { path: '^core/(?!domain/)' },
    },
    {
      name: 'plugins-do-not-reach-the-container',
      severity: 'error',
      comment: 'Strategies and learners receive a context; they never import the DI composition root or adapters.',
      from: { path: '^(strategies|learners)/' },
      to: { path: '^(core/di|adapters)/' },
    },
    {
      name: 'nothing-outside-test-imports-test',
      severity: 'error',
      comment: 'Product code, benches and scripts never import from test/: what they need ships under adapters/ or plugins/.',
      from: { path: '^(core|ports|adapters|plugins|strategies|learners|bench|scripts|bin)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular-between-layers',
      severity: 'warn',
      from: { path: '^(core|ports)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|var|test/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
