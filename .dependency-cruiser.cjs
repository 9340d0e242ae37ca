// The layer rules of DESIGN.md ("Layers", "The generation core") and STYLE.md §1, checked by
// dependency-cruiser in `npm test` (test/layers.test.ts). Data flows one way:
//   api → services → store / engine → providers / tools / retrieval / embeddings / metering.
// Type-only imports count (tsPreCompilationDeps): a type import couples two modules as much as a value import.
// Co-located unit tests (src/**/*.test.ts) may reach below their layer (a database for a repo test, a
// scripted upstream from test/), so the layer rules judge production files only; cycles are judged everywhere.

/** The composition root: the only files that see every layer and wire them together. */
const COMPOSITION_ROOT = '^src/(app|server|main)\\.ts$|^src/cli/';
const TEST_FILE = '\\.test\\.ts$';
/** An npm package, however node_modules is reached (the worktrees' node_modules is a symlink). */
const npm = (names) => `(^|/)node_modules/(${names})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Files must not depend on each other in a circle (type-only imports included): a cycle means two ' +
        'modules are one module in two files, makes load order matter, and hides which layer owns what.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'fastify-only-in-http-layer',
      severity: 'error',
      comment:
        'HTTP is an adapter (DESIGN.md "Layers"): only api/ and the composition root (app.ts, server.ts, ' +
        'main.ts, cli/) know Fastify. Services, the engine, providers and tools must run without a web server.',
      from: { path: '^src/', pathNot: [`^src/api/`, '^src/streaming/', COMPOSITION_ROOT, TEST_FILE] },
      to: { path: npm('fastify|@fastify/[^/]+') },
    },
    {
      name: 'streaming-without-fastify',
      severity: 'error',
      comment:
        'streaming/ holds the encoders (events → chat.completion.chunk, thread.*, response.*): pure functions ' +
        'and transforms over the core\'s events, testable without HTTP (STYLE.md §3 "Streaming"). Opening an ' +
        'SSE reply is api/sse-reply.ts\'s job.',
      from: { path: '^src/streaming/', pathNot: TEST_FILE },
      to: { path: npm('fastify|@fastify/[^/]+') },
    },
    {
      name: 'nothing-below-api-imports-api',
      severity: 'error',
      comment:
        'api/ is the top layer: services take request types from the openai SDK or their own module, never ' +
        'from api/schemas, and no lower layer calls a route. Only the composition root registers api/ modules.',
      from: { path: '^src/', pathNot: ['^src/api/', COMPOSITION_ROOT, TEST_FILE] },
      to: { path: '^src/api/' },
    },
    {
      name: 'sql-drivers-only-in-store',
      severity: 'error',
      comment:
        'No SQL outside store/ (STYLE.md §1, §6): Kysely queries, `sql` templates and the drivers live in ' +
        "store/ (repos take `db | trx`); others pass the handle around as store/database.ts's Db or " +
        "open-db.ts's Store['db']. Allowed by name, each needing a PostgreSQL session of its own that Kysely's " +
        "pool does not offer: engine/pg-run-events.ts (pg's LISTEN/NOTIFY carries run events across instances) " +
        'and engine/instance-identity.ts (a session advisory lock that dies with the process). And ' +
        "api/error-handler.ts maps kysely's NoResultError to a 404 (STYLE.md §4). Query-builder calls on a Db " +
        'handle import nothing: test/layers.test.ts looks for those outside store/.',
      from: {
        path: '^src/',
        pathNot: [
          '^src/store/',
          '^src/engine/pg-run-events\\.ts$',
          '^src/engine/instance-identity\\.ts$',
          '^src/api/error-handler\\.ts$',
          TEST_FILE,
        ],
      },
      to: { path: npm('kysely|pg|better-sqlite3|sqlite-vec') },
    },
    {
      name: 'core-does-not-import-services-or-api',
      severity: 'error',
      comment:
        'The generation core and its plug-ins sit below services/ (DESIGN.md "The generation core"): the ' +
        'engine, tools, providers, retrieval, embeddings and metering are called by services, never the other ' +
        'way round. What they need from above is an interface declared in their own folder or in deps.ts.',
      from: { path: '^src/(engine|tools|providers|retrieval|embeddings|metering)/', pathNot: TEST_FILE },
      to: { path: '^src/(services|api)/' },
    },
    {
      name: 'store-is-the-bottom-layer',
      severity: 'error',
      comment:
        'store/ (schema, repos, serializers) is what every layer above stands on, so it imports none of them. ' +
        "One file by name: engine/run-state.ts, the run state machine, whose status groups (active, workable, " +
        'waiting…) runs.repo.ts queries by; they are named once, beside the transition table.',
      from: { path: '^src/store/', pathNot: TEST_FILE },
      to: {
        path: '^src/(api|services|engine|providers|tools|retrieval|embeddings|metering|streaming)/',
        pathNot: '^src/engine/run-state\\.ts$',
      },
    },
    {
      name: 'providers-do-not-import-embeddings',
      severity: 'error',
      comment:
        'embeddings/ builds on providers/ (an upstream /v1/embeddings goes through a provider route, the local ' +
        'encoder shares the local model host), so providers/ must not import embeddings/: one direction only.',
      from: { path: '^src/providers/', pathNot: TEST_FILE },
      to: { path: '^src/embeddings/' },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      comment:
        'test/ (fakes, fixtures, support) and bench/ are for tests and measurements: the server must not ship ' +
        'or load them. Only unit tests co-located in src/ (*.test.ts) may import from test/.',
      from: { path: '^src/', pathNot: TEST_FILE },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    // Cruise our own files; do not descend into packages: a package is a leaf, named by its resolved path
    // (not `exclude`d, which would also hide the imports of fastify, kysely… that the rules look for).
    doNotFollow: { path: '(^|/)node_modules/' },
    // node_modules may be a symlink (the worktrees share one): keep the path as imported, the same everywhere.
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
