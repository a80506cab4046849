// The layer order of src/, top to bottom. A module may import its own layer and any layer below
// it, never one above. README.md ("Layers") lists the same names in the same order, and
// test/integration/layers.test.ts checks both that the code obeys this file and that the README matches it.
const LAYERS = [
  ['entry', '^src/(main|app)\\.ts$|^src/cli/'],
  ['eval', '^src/eval/'],
  ['http', '^src/http/'],
  ['limits', '^src/limits/'],
  ['graphql', '^src/graphql/'],
  ['services', '^src/services\\.ts$'],
  ['use cases', '^src/(enrollment|identify|events|tenants|people|galleries|quotas|lifecycle|audit)/'],
  ['auth', '^src/auth/'],
  ['video', '^src/video/'],
  ['vision', '^src/vision/'],
  ['embedding', '^src/embedding/'],
  ['inference', '^src/inference/'],
  ['gallery', '^src/gallery/'],
  ['search', '^src/search/'],
  ['loaders', '^src/loaders/'],
  ['db', '^src/db/'],
  ['base', '^src/(config|observability|domain)/|^src/(errors|logger|roles)\\.ts$'],
];

const upward = LAYERS.flatMap(([name, path], i) =>
  i === 0
    ? []
    : [
        {
          name: `layer-${name.replace(/ /g, '-')}`,
          comment: `${name} sits below ${LAYERS.slice(0, i).map(([n]) => n).join(', ')}: it may not import them.`,
          severity: 'error',
          from: { path },
          to: { path: LAYERS.slice(0, i).map(([, p]) => `(${p})`).join('|') },
        },
      ],
);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'src-not-tests',
      comment: 'Production code never imports tests, benchmarks or test support.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'support-not-suites',
      comment: 'What bench and tests share lives in test/support or test/helpers; neither imports a test suite.',
      severity: 'error',
      from: { path: '^(bench/|test/(support|helpers)/)' },
      to: { path: '^test/(unit|integration)/' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle hides which module is the lower one.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'A relative import the resolver cannot find would slip past every rule above.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/db/generated/' },
    // Type-only imports count: a layer that names a type from above still depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};

// Not enumerable: dependency-cruiser validates its config's keys; the layers test reads this.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });
