import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { IdGenerator } from './ids.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/open-db.js';
import type { UsageRecorder } from './metering/usage-recorder.js';
import type { RunEventBus } from './engine/run-events.js';
import type { RunWorker } from './engine/run-worker.js';
import type { ToolRegistry } from './tools/tool.js';
import type { FileStorage } from './storage/file-storage.js';
import type { EmbedderRegistry } from './embeddings/embedder.js';
import type { IngestionWorker } from './retrieval/ingestion.js';

export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export interface Deps {
  config: Readonly<Config>;
  store: Store;
  providers: ProviderRegistry;
  usage: UsageRecorder;
  /** The engine's API-neutral run events, as it commits them. */
  events: RunEventBus;
  /** The tools runs can call (the stream encoders ask them how their calls show). */
  tools: ToolRegistry;
  /** The run engine: enqueue(runId) after a commit, cancel(runId). */
  engine: Pick<RunWorker, 'enqueue' | 'cancel'>;
  /** Uploaded files' bytes. */
  storage: FileStorage;
  embeddings: EmbedderRegistry;
  /** Background file ingestion for vector stores: enqueue() after a file is attached. */
  ingestion: Pick<IngestionWorker, 'enqueue'>;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
}

/** Who is calling: resolved from the bearer key by the auth hook. */
export interface Caller {
  tenantId: string;
  apiKeyId: string;
}
