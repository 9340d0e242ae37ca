import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { redactConfig, type Config } from './config.js';
import type { Clock, Deps } from './deps.js';
import { newId } from './ids.js';
import { createApp } from './app.js';
import { UsageRecorder } from './metering/usage-recorder.js';
import { StorageSampler } from './metering/storage-sampler.js';
import { createProviderRegistry, noModelHint } from './providers/registry.js';
import { migrateToLatest, openDb } from './store/open-db.js';
import { createRunEventBus } from './engine/run-events.js';
import { createPgRunEventBus } from './engine/pg-run-events.js';
import { RunWorker, type WorkerOptions } from './engine/run-worker.js';
import { createPromptFitter } from './engine/context-window.js';
import { createToolRegistry } from './tools/registry.js';
import { createLocalFileStorage } from './storage/local-file-storage.js';
import { createEmbedderRegistry } from './embeddings/registry.js';
import { createFileSearchTool } from './tools/file-search.js';
import { createIngestionWorker } from './retrieval/ingestion.js';
import { searchVectorStores } from './services/vector-store-search.service.js';
import { waitForIngestion } from './services/thread-file-search.service.js';
import { imageDataUrls, sweepExpiredFiles } from './services/files.service.js';
import { join } from 'node:path';
import { SessionPool } from './sandbox/session-pool.js';
import { createCodeInterpreterTool } from './tools/code-interpreter.js';
import { codeInterpreterFiles } from './services/code-interpreter-files.service.js';

const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the store, applies migrations, wires the dependencies, listens. close() stops accepting,
 * lets in-flight requests and streams finish up to the grace period, then flushes usage and closes
 * the store. main.ts and the test helper both start the server through here.
 */
export interface ServerOptions {
  /** Unix-ms clock; tests move time forward to expire runs. */
  clock?: Clock;
  worker?: Partial<WorkerOptions>;
}

export async function startServer(config: Readonly<Config>, log: Logger, opts: ServerOptions = {}): Promise<RunningServer> {
  const store = openDb(config.databaseUrl);
  const migrated = await migrateToLatest(store.db);
  if (migrated.error) {
    await store.close();
    throw new Error(`database migration failed: ${(migrated.error as Error).message ?? migrated.error}`);
  }
  const clock = opts.clock ?? { now: () => Date.now() };
  const providers = createProviderRegistry(config, { clock: () => clock.now(), log });
  const usage = new UsageRecorder({ db: store.db, prices: config.prices, toolPrices: config.toolPrices, flushMs: config.usageFlushMs, log });
  const storageSampler = new StorageSampler({ db: store.db, clock, toolPrices: config.toolPrices, intervalMs: config.vectorStoreSampleMs, log });
  const pgEvents =
    store.dialect === 'postgres' ? await createPgRunEventBus({ url: config.databaseUrl, db: store.db, log }) : undefined;
  const events = pgEvents ?? createRunEventBus();
  const storage = createLocalFileStorage(join(config.dataDir, 'files'));
  const embeddings = createEmbedderRegistry({ config, providers, log });
  const fileSearch = createFileSearchTool(async (ctx, o) => {
    await waitForIngestion(store.db, { vectorStoreIds: o.vectorStoreIds, signal: ctx.abortSignal });
    return searchVectorStores(
      { store, clock, embeddings },
      {
        tenantId: ctx.tenantId,
        vectorStoreIds: o.vectorStoreIds,
        query: o.query,
        maxNumResults: o.maxResults,
        scoreThreshold: o.scoreThreshold,
        signal: ctx.abortSignal,
      },
    );
  }, { meter: usage, now: () => clock.now() });
  const sandbox = new SessionPool(config.codeInterpreter, { now: () => clock.now(), log });
  void sandbox.start();
  const codeInterpreter = createCodeInterpreterTool(sandbox, codeInterpreterFiles({ store, storage, clock, ids: newId, log }), {
    maxFileBytes: Math.min(config.codeInterpreter.limits.maxFileBytes, config.fileLimitBytes),
    meter: usage,
    now: () => clock.now(),
  });
  const tools = createToolRegistry([fileSearch, codeInterpreter]);
  const worker = new RunWorker(
    {
      db: store.db,
      dialect: store.dialect,
      clock,
      ids: newId,
      log,
      events,
      tools,
      models: (model) => providers.chatModel(model),
      usage,
      loadImages: (tenantId, fileIds) => imageDataUrls({ store, storage, log }, tenantId, fileIds),
      fitPrompt: createPromptFitter({ config, providers, now: () => clock.now() }),
    },
    { ...definedOnly(config.runs), databaseUrl: config.databaseUrl, ...opts.worker },
  );
  // Only a poll interval actually given overrides the worker's default (an `undefined` would not).
  const ingestion = createIngestionWorker({ store, storage, embeddings, clock, log, usage }, definedOnly({ pollMs: opts.worker?.pollMs }));
  const deps: Deps = {
    config,
    store,
    providers,
    usage,
    events,
    tools,
    engine: worker,
    storage,
    embeddings,
    ingestion,
    clock,
    ids: newId,
    log,
  };
  await providers.start();
  const app = await createApp(deps);
  await app.listen({ host: config.host, port: config.port });
  await worker.start();
  await ingestion.start();
  storageSampler.start();
  // Files past their expires_after go, checked every minute (and once at start).
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweeping
      .then(() => sweepExpiredFiles({ store, storage, clock, ids: newId, log }))
      .catch((err: unknown) => log.warn({ err }, 'could not delete expired files'));
  };
  sweep();
  const fileReaper = setInterval(sweep, 60_000);
  fileReaper.unref();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  log.info({ config: redactConfig(config), dialect: store.dialect }, 'effective configuration');
  if (config.openMode) log.warn('no API keys configured: open mode, every caller is the tenant "default" (loopback only)');
  if (config.providers.length === 0 && config.localModels.length === 0) log.warn(noModelHint(config));
  log.info({ url: `${url}/v1` }, 'switchboard is listening');

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing ??= (async () => {
      const deadline = setTimeout(() => {
        log.warn({ graceMs: config.shutdownGraceMs }, 'grace period over: closing open connections');
        app.server.closeAllConnections();
      }, config.shutdownGraceMs);
      deadline.unref();
      // Connections that finish their last response during the grace period would otherwise idle
      // for the keep-alive timeout before close() returns.
      const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
      try {
        await app.close();
      } finally {
        clearTimeout(deadline);
        clearInterval(reaper);
        clearInterval(fileReaper);
        await sweeping;
        await worker.stop();
        await ingestion.stop();
        await storageSampler.stop();
        await sandbox.close();
        await pgEvents?.close();
        await embeddings.close();
        await usage.close();
        await providers.close();
        await store.close();
      }
    })();
    return closing;
  }
  return { app, deps, url, close };
}
