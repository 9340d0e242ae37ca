import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { redactConfig, type Config } from './config.js';
import type { Clock, Deps } from './deps.js';
import { createEmbedderRegistry } from './embeddings/registry.js';
import { createPromptFitter } from './engine/context-window.js';
import { createPgRunEventBus } from './engine/pg-run-events.js';
import { createRunEventBus, type RunEventBus } from './engine/run-events.js';
import { RunWorker, type WorkerOptions } from './engine/run-worker.js';
import { newId } from './ids.js';
import { StorageSampler } from './metering/storage-sampler.js';
import { UsageRecorder } from './metering/usage-recorder.js';
import { createProviderRegistry, noModelHint } from './providers/registry.js';
import { createIngestionWorker, type IngestionOptions } from './retrieval/ingestion.js';
import { SessionPool } from './sandbox/session-pool.js';
import { StartFailure } from './cli/start-error.js';
import { startSweeper } from './server/sweeper.js';
import { keyReloader, startKeys } from './server/keys.js';
import { applyReload, warnUnpriced } from './server/reload.js';
import { shutdown } from './server/shutdown.js';
import { codeInterpreterFiles } from './services/code-interpreter-files.service.js';
import { imageDataUrls, sweepExpiredFiles } from './services/files.service.js';
import { sweepLapsedResponses } from './services/responses-lapse.js';
import { waitForIngestion } from './services/thread-file-search.service.js';
import { recordResponseEvents } from './services/responses-recorder.js';
import { searchVectorStores } from './services/vector-store-search.service.js';
import { createFileStorage } from './storage/create-file-storage.js';
import { migrateToLatest, openDb, type Store } from './store/open-db.js';
import { limitIndexMemory } from './retrieval/index-budget.js';
import { createCodeInterpreterTool } from './tools/code-interpreter.js';
import { createFileSearchTool } from './tools/file-search.js';
import { createToolRegistry } from './tools/registry.js';
import type { ToolRegistry } from './tools/tool.js';
import { responseCallOptions, responseWritesAtEnd } from './services/responses-call-options.js';
import { responseUnkept } from './services/responses-unkept.js';
import { countBacklog } from './store/repos/telemetry.repo.js';
import { instrumentTool } from './telemetry/instrument-tool.js';
import { metrics } from './telemetry/metrics.js';
import { tracing } from './telemetry/tracing.js';
import { createRateLimiter } from './services/rate-limits-wiring.js';

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  /**
   * Applies a new configuration's keys, prices, routes, aliases, providers, budgets and metrics settings (SIGHUP);
   * the rest needs a restart. Throws ConfigError, changing nothing, for a change it cannot make live (open mode).
   */
  reload(config: Readonly<Config>): Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Unix-ms clock; tests move time forward to expire runs. */
  clock?: Clock;
  worker?: Partial<WorkerOptions>;
  /** The ingestion worker's options (tests: small embedding batches). */
  ingestion?: Partial<IngestionOptions>;
  /** How long the key cache keeps an answer (default 1000 ms). */
  keyCacheTtlMs?: number;
}

/** What every part is built from. */
interface Base {
  config: Readonly<Config>;
  log: Logger;
  clock: Clock;
  store: Store;
}

/** A failed migration; one that could not connect is a StartFailure (npm start prints it as one line, no stack). */
function migrationError(cause: unknown): Error {
  const code = (cause as { code?: unknown } | null)?.code;
  const message = (cause as Error)?.message ?? String(cause);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new StartFailure(`cannot reach the database: ${message}`, { cause });
  return new Error(`database migration failed: ${message}`, { cause });
}

/** The store, migrated to the latest schema (closed again if that fails). */
async function openStore(config: Readonly<Config>): Promise<Store> {
  const store = openDb(config.databaseUrl);
  limitIndexMemory(store.db, config.indexMemoryBytes);
  const migrated = await migrateToLatest(store.db);
  if (migrated.error) {
    await store.close();
    throw migrationError(migrated.error);
  }
  return store;
}

/** Run events: in process on SQLite, across instances (LISTEN/NOTIFY) on PostgreSQL. */
async function createEvents({ config, store, log }: Base): Promise<{ events: RunEventBus; close(): Promise<void> }> {
  if (store.dialect !== 'postgres') return { events: createRunEventBus(), close: async () => {} };
  const events = await createPgRunEventBus({ url: config.databaseUrl, db: store.db, log });
  return { events, close: () => events.close() };
}

function createMetering({ config, store, clock, log }: Base): { usage: UsageRecorder; storageSampler: StorageSampler } {
  const { prices, toolPrices } = config;
  return {
    usage: new UsageRecorder({ db: store.db, prices, toolPrices, flushMs: config.usageFlushMs, log }),
    storageSampler: new StorageSampler({ db: store.db, clock, toolPrices, intervalMs: config.vectorStoreSampleMs, log }),
  };
}

/** code_interpreter's sandboxes; started now, so that a first one is ready ahead of the first call. */
function startSandbox({ config, clock, log }: Base): SessionPool {
  const sandbox = new SessionPool(config.codeInterpreter, { now: () => clock.now(), log });
  void sandbox.start();
  return sandbox;
}

type ToolParts = Base & Pick<Deps, 'storage' | 'embeddings' | 'usage'> & { sandbox: SessionPool };

/** The built-in tools runs can call: one line each. */
function createTools(parts: ToolParts): ToolRegistry {
  return createToolRegistry([fileSearchTool(parts), codeInterpreterTool(parts)].map(instrumentTool));
}

function fileSearchTool({ store, clock, embeddings, usage }: ToolParts) {
  return createFileSearchTool(
    async (ctx, o) => {
      await waitForIngestion(store.db, { vectorStoreIds: o.vectorStoreIds, signal: ctx.abortSignal });
      return searchVectorStores(
        { store, clock, embeddings },
        {
          tenantId: ctx.tenantId,
          vectorStoreIds: o.vectorStoreIds,
          query: o.query,
          maxNumResults: o.maxResults,
          scoreThreshold: o.scoreThreshold,
          ranker: o.ranker,
          weights: o.weights,
          signal: ctx.abortSignal,
        },
      );
    },
    { meter: usage, now: () => clock.now() },
  );
}

function codeInterpreterTool({ config, store, storage, clock, log, usage, sandbox }: ToolParts) {
  return createCodeInterpreterTool(sandbox, codeInterpreterFiles({ store, storage, clock, ids: newId, log }), {
    maxFileBytes: Math.min(config.codeInterpreter.limits.maxFileBytes, config.fileLimitBytes),
    meter: usage,
    now: () => clock.now(),
  });
}

type EngineParts = Base &
  Pick<Deps, 'providers' | 'events' | 'usage' | 'storage' | 'embeddings' | 'limits'> & { tools: ToolRegistry; worker?: Partial<WorkerOptions>; ingestion?: Partial<IngestionOptions> };

/** The run worker, and the ingestion worker that indexes vector store files. */
function createWorkers(parts: EngineParts) {
  const { config, store, clock, log, providers, usage, storage, embeddings } = parts;
  const worker = new RunWorker(
    {
      db: store.db,
      dialect: store.dialect,
      clock,
      ids: newId,
      log,
      events: parts.events,
      tools: parts.tools,
      models: (model) => providers.chatModel(model),
      usage,
      loadImages: (tenantId, fileIds) => imageDataUrls({ store, storage, log }, tenantId, fileIds),
      fitPrompt: createPromptFitter({ config, providers, now: () => clock.now() }),
      callOptions: responseCallOptions(store.db),
      writesAtEnd: responseWritesAtEnd(store.db),
      unkept: responseUnkept(store.db),
      // A run's later model calls (the first is counted by the request that queued it); its tokens are counted from
      // its recorded usage (no reservation: its prompt is built in the call).
      admitModelCall: async (call) => parts.limits.admit({ ...call, tokens: 0 }),
    },
    { ...definedOnly(config.runs), databaseUrl: config.databaseUrl, ...parts.worker },
  );
  // Only a poll interval actually given overrides the worker's default (an `undefined` would not).
  const ingestion = createIngestionWorker({ store, storage, embeddings, clock, log, usage }, {
    ...definedOnly({ pollMs: parts.worker?.pollMs }),
    ...parts.ingestion,
  });
  return { worker, ingestion };
}

/** Local models checked (and eager ones loaded), then the HTTP app listening. */
async function listen(deps: Deps): Promise<FastifyInstance> {
  await deps.providers.start();
  const app = await createApp(deps);
  await app.listen({ host: deps.config.host, port: deps.config.port });
  return app;
}

function listeningUrl(app: FastifyInstance, config: Readonly<Config>): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

function logStart({ config, log, store }: Base, url: string): void {
  log.info({ config: redactConfig(config), dialect: store.dialect }, 'effective configuration');
  if (config.providers.length === 0 && config.localModels.length === 0) log.warn(noModelHint(config));
  warnUnpriced(log, config);
  log.info({ url: `${url}/v1` }, 'switchboard is listening');
}

/**
 * Opens the store, applies migrations, wires the dependencies, listens. close() stops accepting,
 * lets in-flight requests and streams finish up to the grace period, then stops the workers,
 * flushes usage and closes the store. main.ts and the test helper both start the server through here.
 */
export async function startServer(config: Readonly<Config>, log: Logger, opts: ServerOptions = {}): Promise<RunningServer> {
  // Before anything that is instrumented is built (providers wrap their models once).
  metrics.configure(config.metrics);
  if (config.tracing) await tracing.start(config.tracing);
  const base: Base = { config, log, clock: opts.clock ?? { now: () => Date.now() }, store: await openStore(config) };
  const { clock, store } = base;
  const keys = await startKeys(base, { ttlMs: opts.keyCacheTtlMs }).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const providers = createProviderRegistry(config, { clock: () => clock.now(), log });
  const { usage, storageSampler } = createMetering(base);
  const limits = createRateLimiter(base, usage, opts.keyCacheTtlMs);
  const { events: bus, close: closeEvents } = await createEvents(base);
  const { storage } = createFileStorage({ fileStore: config.fileStore, dialect: store.dialect, db: store.db, dataDir: config.dataDir, log });
  const embeddings = createEmbedderRegistry({ config, providers, log });
  const sandbox = startSandbox(base);
  const tools = createTools({ ...base, storage, embeddings, usage, sandbox });
  // Background responses' stream events are stored where they are published (the instance running the run).
  const events = recordResponseEvents(bus, { db: store.db, tools, log: base.log });
  const { worker, ingestion } = createWorkers({ ...base, providers, events, usage, storage, embeddings, tools, limits, worker: opts.worker, ingestion: opts.ingestion });
  const deps: Deps = { config, store, providers, usage, events, tools, engine: worker, storage, embeddings, ingestion, clock, ids: newId, log, keys, limits };

  const app = await listen(deps);
  await worker.start();
  await ingestion.start();
  storageSampler.start();
  // Files past their expires_after, and lapsed `background: true, store: false` responses.
  const fileSweeper = startSweeper(() => sweepExpiredFiles(deps), { log, failure: 'could not delete expired files' });
  const lapseSweeper = startSweeper(() => sweepLapsedResponses(deps), { log, failure: 'could not delete lapsed background store:false responses' });
  const unhookGauges = metrics.setSources({ backlog: () => countBacklog(store.db), sandboxSessions: () => sandbox.size });
  const url = listeningUrl(app, config);
  logStart(base, url);

  const closers = [
    () => fileSweeper.stop(),
    () => lapseSweeper.stop(),
    async () => unhookGauges(),
    () => worker.stop(),
    () => ingestion.stop(),
    () => storageSampler.stop(),
    () => sandbox.close(),
    closeEvents,
    () => embeddings.close(),
    () => usage.close(),
    () => keys.close(),
    () => providers.close(),
    () => store.close(),
    // Last: the spans of everything above are flushed to the collector.
    async () => (config.tracing ? tracing.stop() : undefined),
  ];
  const reloader = keyReloader(base, keys);
  let current = config;
  const reload = async (next: Readonly<Config>) => {
    await applyReload({ keys: reloader, usage, providers, limits, metrics, log }, current, next);
    current = next;
  };
  return { app, deps, url, reload, close: shutdown({ app, graceMs: config.shutdownGraceMs, log, closers }) };
}
