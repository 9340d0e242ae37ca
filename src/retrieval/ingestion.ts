import { buffer } from 'node:stream/consumers';
import type { Logger } from 'pino';
import type { StaticFileChunkingStrategyObject } from 'openai/resources/vector-stores/vector-stores';
import type { Clock, Deps, IngestionQueue } from '../deps.js';
import type { EmbedderRegistry } from '../embeddings/embedder.js';
import type { MeterSink } from '../metering/usage-event.js';
import { randomToken } from '../ids.js';
import type { DialectName } from '../store/database.js';
import { fromJson, toJson } from '../store/json.js';
import type { Store } from '../store/open-db.js';
import { findFile } from '../store/repos/files.repo.js';
import {
  claimVectorStoreFile,
  countInProgressInBatch,
  lockOwnedFile,
  recordFileProgress,
  releaseFileLease,
  renewFileLease,
  settleFile,
  voidFileLeases,
  type VectorStoreFileKey,
} from '../store/repos/vector-store-files.repo.js';
import { finishFileBatch } from '../store/repos/vector-stores.repo.js';
import type { VectorStoreFileRow, VectorStoreFileUpdate } from '../store/tables/vector-stores.table.js';
import { addChunks, removeFileChunks } from './chunk-index.js';
import { AUTO_CHUNKING, EMBED_BATCH_SIZE, LOCAL_EMBED_BATCH_SIZE, indexFile, toLastError, type EmbeddedBatch, type IndexedFile, type ReadFile } from './index-file.js';

export interface IngestionDeps {
  db: Store['db'];
  dialect: DialectName;
  embeddings: Pick<EmbedderRegistry, 'retrieval' | 'local'>;
  clock: Clock;
  log: Logger;
  readFile: ReadFile;
  /** Meters the embeddings tokens indexing spends. */
  usage?: MeterSink;
}

export interface IngestionOptions {
  /** Files indexed at once in this process. */
  concurrency: number;
  /** A claimed file's lease; renewed every third of it while the file is indexed. */
  leaseMs: number;
  /** How often the worker looks for files it was not told about (other instances, lapsed leases). */
  pollMs: number;
  /** Pick-ups of one file (crash recoveries included) before it is failed. */
  maxAttempts: number;
  /** Chunks per embedding call; each batch is stored (and shows as progress) when it and those before it are embedded. */
  embedBatchSize: number;
  /** The same for an in-process model. */
  localEmbedBatchSize: number;
  /**
   * Embedding calls of one file in flight at once, with an upstream model. An in-process model (the local encoder,
   * a GGUF model) gets one at a time: it already spreads a batch over its threads, and batches in order show progress.
   */
  embedConcurrency: number;
}

export const DEFAULT_INGESTION_OPTIONS: IngestionOptions = {
  concurrency: 2,
  leaseMs: 60_000,
  pollMs: 1_000,
  maxAttempts: 3,
  embedBatchSize: EMBED_BATCH_SIZE,
  localEmbedBatchSize: LOCAL_EMBED_BATCH_SIZE,
  embedConcurrency: 4,
};

type StopReason = 'shutdown' | 'lease_lost';
const keyOf = (row: VectorStoreFileRow): VectorStoreFileKey => ({ vectorStoreId: row.vector_store_id, fileId: row.id });

/**
 * Indexes vector store files: claims in_progress files whose lease is free or lapsed, extracts, chunks and
 * embeds each (several embedding calls in flight with an upstream model), storing its chunks a batch at a time, in
 * order, while the next batches are embedded; each batch's transaction also records the file's progress (chunks
 * indexed, usage_bytes so far). Search shows a file's chunks only once it is completed. Then it marks the file
 * completed, or failed with last_error and its chunks removed. A file cancelled or detached meanwhile stops at its
 * next batch (the cancel or detach removes what it stored). On SQLite the database belongs to
 * this one process, so a restart takes its files back at once; on PostgreSQL when their leases lapse.
 */
export class IngestionWorker implements IngestionQueue {
  readonly #deps: IngestionDeps;
  readonly #opts: IngestionOptions;
  readonly #owner = `ingest_${randomToken(12)}`;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  /** The pass under way, if any: stop() waits for it. */
  #polling: Promise<void> | undefined;
  #again = false;

  constructor(deps: IngestionDeps, opts: Partial<IngestionOptions> = {}) {
    this.#deps = deps;
    this.#opts = { ...DEFAULT_INGESTION_OPTIONS, ...opts };
  }

  async start(): Promise<void> {
    if (this.#deps.dialect === 'sqlite') await voidFileLeases(this.#deps.db);
    this.#timer = setInterval(() => void this.poll(), this.#opts.pollMs);
    this.#timer.unref();
    void this.poll();
  }

  /** Files were attached: look for work now rather than at the next poll. */
  enqueue(): void {
    void this.poll();
  }

  /** Claims files while there is room. */
  poll(): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    if (this.#polling) {
      this.#again = true;
      return this.#polling;
    }
    this.#polling = this.#claimAll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async #claimAll(): Promise<void> {
    try {
      do {
        this.#again = false;
        while (!this.#stopping && this.#running.size < this.#opts.concurrency) {
          const row = await claimVectorStoreFile(this.#deps.db, {
            dialect: this.#deps.dialect,
            owner: this.#owner,
            nowMs: this.#deps.clock.now(),
            leaseMs: this.#opts.leaseMs,
          });
          if (!row) break;
          if (this.#stopping) await releaseFileLease(this.#deps.db, keyOf(row), this.#owner);
          else this.#execute(row);
        }
      } while (this.#again && !this.#stopping);
    } catch (err) {
      this.#deps.log.error({ err }, 'ingestion poll failed');
    }
  }

  #execute(row: VectorStoreFileRow): void {
    const id = `${row.vector_store_id}/${row.id}`;
    const controller = new AbortController();
    const heartbeat = setInterval(() => void this.#heartbeat(row, controller), Math.max(50, this.#opts.leaseMs / 3));
    heartbeat.unref();
    const done = this.#process(row, controller)
      .catch((err: unknown) => this.#deps.log.error({ err, fileId: row.id, vectorStoreId: row.vector_store_id }, 'ingestion crashed'))
      .finally(() => {
        clearInterval(heartbeat);
        this.#running.delete(id);
        if (!this.#stopping) void this.poll();
      });
    this.#running.set(id, { controller, done });
  }

  async #process(row: VectorStoreFileRow, controller: AbortController): Promise<void> {
    const { signal } = controller;
    const log = this.#deps.log.child({ fileId: row.id, vectorStoreId: row.vector_store_id });
    if (row.attempts > this.#opts.maxAttempts) {
      const message = 'Processing the file was interrupted too many times.';
      return this.#settle(row, { status: 'failed', last_error: toJson({ code: 'server_error', message }) });
    }
    let indexed: IndexedFile;
    const embedder = this.#deps.embeddings.retrieval();
    const inProcess = this.#deps.embeddings.local(embedder.model) === embedder;
    const held = (ok: boolean) => {
      if (!ok) controller.abort('lease_lost' satisfies StopReason);
      signal.throwIfAborted();
    };
    try {
      const strategy = fromJson<StaticFileChunkingStrategyObject | null>(row.chunking_strategy, null);
      indexed = await indexFile(
        { readFile: this.#deps.readFile, embedder },
        { tenantId: row.tenant_id, fileId: row.id, chunkingStrategy: strategy ?? AUTO_CHUNKING },
        signal,
        {
          batchSize: inProcess ? this.#opts.localEmbedBatchSize : this.#opts.embedBatchSize,
          concurrency: inProcess ? 1 : this.#opts.embedConcurrency,
          onChunked: async (total) =>
            held(await recordFileProgress(this.#deps.db, keyOf(row), { owner: this.#owner, progress: { chunks_total: total } })),
          onBatch: async (batch) => held(await this.#storeBatch(row, batch)),
        },
      );
    } catch (err) {
      if (signal.aborted) {
        if (signal.reason === ('shutdown' satisfies StopReason)) await releaseFileLease(this.#deps.db, keyOf(row), this.#owner);
        return;
      }
      const lastError = toLastError(err);
      if (lastError.code === 'server_error') log.error({ err }, 'indexing a file failed');
      else log.info({ lastError }, 'file could not be indexed');
      return this.#settle(row, { status: 'failed', last_error: toJson(lastError) });
    }
    await this.#settle(row, { status: 'completed', last_error: null, usage_bytes: indexed.usageBytes, chunks_indexed: indexed.chunkCount });
    this.#deps.usage?.meter({
      tenantId: row.tenant_id,
      apiKeyId: '',
      meter: 'embeddings',
      subject: embedder.model,
      at: this.#deps.clock.now(),
      quantity: indexed.embeddingTokens,
    });
  }

  /**
   * One transaction: if the file is still in progress under this lease, stores a batch of its chunks (the first
   * batch first removes what an earlier attempt stored) and its progress. False when the file is no longer ours.
   */
  #storeBatch(row: VectorStoreFileRow, batch: EmbeddedBatch): Promise<boolean> {
    const { db, dialect } = this.#deps;
    const key = keyOf(row);
    return db.transaction().execute(async (trx) => {
      if (!(await lockOwnedFile(trx, key, { dialect, owner: this.#owner }))) return false;
      if (batch.index === 0) await removeFileChunks(trx, dialect, key);
      await addChunks(trx, dialect, {
        tenantId: row.tenant_id,
        vectorStoreId: row.vector_store_id,
        fileId: row.id,
        chunks: batch.chunks,
        vectors: batch.vectors,
      });
      const progress = { chunks_indexed: batch.indexedChunks, usage_bytes: batch.usageBytes };
      return recordFileProgress(trx, key, { owner: this.#owner, progress });
    });
  }

  /**
   * One transaction: if the file is still in progress under this lease, write its outcome (a failed file's chunks
   * removed); then a batch with nothing left in progress is completed.
   */
  async #settle(row: VectorStoreFileRow, patch: VectorStoreFileUpdate): Promise<void> {
    const { db, dialect } = this.#deps;
    const key = keyOf(row);
    await db.transaction().execute(async (trx) => {
      if (!(await lockOwnedFile(trx, key, { dialect, owner: this.#owner }))) return;
      if (patch.status !== 'completed') await removeFileChunks(trx, dialect, key);
      await settleFile(trx, key, patch);
      if (row.batch_id && (await countInProgressInBatch(trx, row.batch_id)) === 0)
        await finishFileBatch(trx, row.batch_id, 'completed');
    });
  }

  /** Renews the lease; a file cancelled, detached or taken over meanwhile stops being worked on. */
  async #heartbeat(row: VectorStoreFileRow, controller: AbortController): Promise<void> {
    try {
      const untilMs = this.#deps.clock.now() + this.#opts.leaseMs;
      const held = await renewFileLease(this.#deps.db, keyOf(row), { owner: this.#owner, untilMs });
      if (!held) controller.abort('lease_lost' satisfies StopReason);
    } catch (err) {
      this.#deps.log.warn({ err, fileId: row.id }, 'ingestion lease renewal failed');
    }
  }

  /** Stops claiming, hands files in flight back (their leases freed) and waits for them to settle. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    await this.#polling;
    for (const { controller } of this.#running.values()) controller.abort('shutdown' satisfies StopReason);
    await Promise.all([...this.#running.values()].map((r) => r.done));
  }
}
/** The worker over the app's dependencies (all but `ingestion` itself): files are read from the store and storage. */
export function createIngestionWorker(
  deps: Pick<Deps, 'store' | 'storage' | 'embeddings' | 'clock' | 'log'> & { usage?: MeterSink },
  opts: Partial<IngestionOptions> = {},
): IngestionWorker {
  const readFile: ReadFile = async ({ tenantId, fileId }) => {
    const row = await findFile(deps.store.db, tenantId, fileId);
    return row && { filename: row.filename, bytes: await buffer(await deps.storage.get(row.storage_key)) };
  };
  return new IngestionWorker(
    { db: deps.store.db, dialect: deps.store.dialect, embeddings: deps.embeddings, clock: deps.clock, log: deps.log, readFile, usage: deps.usage },
    opts,
  );
}
