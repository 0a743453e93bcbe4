/**
 * dependency-cruiser rules for Chronicle (run with `npm run deps`).
 *
 * Sources are ESM TypeScript importing siblings with a `.js` extension (`./foo.js` -> foo.ts).
 * dependency-cruiser >= 13 resolves those to the .ts file by itself (like tsc does with
 * NodeNext), so no `extensionAlias` is needed - and v17's config schema rejects that key
 * in enhancedResolveOptions anyway.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
// Contexts: every src/ folder but the cores (own rules below) and the infrastructure that owns no events or rules.
const NOT_CONTEXTS = '(?:event-store|projections|cli|config|database|health|http|logging|metrics|shared)';
// $1, the importing context, is this pattern's only capturing group.
const CONTEXT = `^src/(?!${NOT_CONTEXTS}/)([^/]+)/`;
const ANY_CONTEXT = `^src/(?!${NOT_CONTEXTS}/)[^/]+/`;
const TEST_FILES = ['\\.(spec|int-spec|e2e-spec)\\.ts$', '(^|/)testing/'];

module.exports = {
  forbidden: [
    {
      name: 'no-cross-context-internals',
      severity: 'error',
      comment:
        'A bounded context may use another context only through its public barrel ' +
        'src/<context>/index.ts, never its internals.',
      // Only contexts are constrained: src/database (it lists every context's entities and migrations), the CLI
      // and src/app.module.ts are composition roots.
      from: { path: CONTEXT },
      to: {
        path: ANY_CONTEXT,
        // Its own files, and other contexts' test helpers (testing/), as for the cores.
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/[^/]+/testing/'],
      },
    },
    {
      name: 'event-store-through-index',
      severity: 'error',
      comment:
        'The event store is a core: other modules import it only through src/event-store/index.ts, its public surface.',
      // The projection engine, a sibling core, still reads the store's internals (rows, toPersistedEvent) directly.
      from: { path: '^src/', pathNot: '^src/(event-store|projections)/' },
      // Its migrations (listed by src/database, like the projection engine's) and its test helpers are public too.
      to: {
        path: '^src/event-store/',
        pathNot: ['^src/event-store/index\\.ts$', '^src/event-store/(migrations|testing)/'],
      },
    },
    {
      name: 'projections-through-index',
      severity: 'error',
      comment:
        'The projection engine is a core: other modules import it only through src/projections/index.ts.',
      from: { path: '^src/', pathNot: '^src/projections/' },
      // Its migrations (listed by src/database) and its test helpers (testing/) are public too.
      to: {
        path: '^src/projections/',
        pathNot: ['^src/projections/index\\.ts$', '^src/projections/(migrations|testing)/'],
      },
    },
    {
      name: 'domain-no-frameworks',
      severity: 'error',
      comment: 'Domain code is pure: no NestJS, TypeORM, pg or Express (not even their typings).',
      from: { path: '(^|/)domain/' },
      to: {
        path: '(^|node_modules/)(@types/)?(@nestjs/[^/]+|typeorm|pg|express)(/|$)',
      },
    },
    {
      name: 'domain-imports-only-types',
      severity: 'error',
      comment:
        'Outside its own domain folder, domain code imports only types and the pure helpers of src/shared: ' +
        'no I/O, crypto, id derivation or serialisation (those live next to the handlers and repositories).',
      from: { path: '^src/([^/]+)/domain/', pathNot: TEST_FILES },
      to: {
        pathNot: [
          '^src/$1/domain/',
          '^src/shared/(domain-error|currency|personal-data-erased)\\.ts$',
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-no-application-layers',
      severity: 'error',
      comment: 'Domain code may not depend on projections, command handlers or query handlers.',
      from: { path: '(^|/)domain/' },
      to: { path: '^(src|src/.*)/(projections|commands|queries)/' },
    },
    {
      name: 'handlers-not-http',
      severity: 'error',
      comment:
        'Commands, queries and their handlers answer the buses, not HTTP (CommandAccepted is in src/shared); ' +
        'only request parameters and responses (*.params.ts, *.request.ts, *.response.ts) may use src/http.',
      from: { path: '/(commands|queries)/', pathNot: '\\.(params|request|response)\\.ts$' },
      to: { path: '^src/http/' },
    },
    {
      name: 'pool-from-provider',
      severity: 'error',
      comment:
        "The pg pool is the injected PG_POOL provider: only it and the database module take it from TypeORM's " +
        'driver (poolOf, src/database/pool-of.ts; eslint refuses `.master` anywhere else).',
      from: { pathNot: '^src/(database/|event-store/event-store\\.module\\.ts$)' },
      to: { path: '^src/database/pool-of\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'warn',
      comment: 'Circular dependencies make modules hard to reason about and to initialise.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-dev-dep',
      severity: 'error',
      comment:
        'Production code in src/ may not import devDependencies (they are absent from the ' +
        'runtime image, npm ci --omit=dev). Tests, test helpers and type-only imports are exempt.',
      from: { path: '^src/', pathNot: TEST_FILES },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['node_modules/@types/'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
