import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { KeyTable } from './config/key-table.js';
import type { IdGenerator } from './ids.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/open-db.js';
import type { UsageRecorder } from './metering/usage-recorder.js';
import type { RunEventBus } from './engine/run-events.js';
import type { ToolRegistry } from './tools/tool.js';
import type { FileStorage } from './storage/file-storage.js';
import type { EmbedderRegistry } from './embeddings/embedder.js';

// deps.ts names what services need from the engine and the ingestion worker as interfaces of its own, which
// those classes implement: it imports neither, so neither (nor anything they import) is in a cycle with it.

/** The run engine as services see it (engine/run-worker.ts's RunWorker). */
export interface RunQueue {
  /** A run was queued (after the commit): claim it now rather than at the next poll. */
  enqueue(runId: string): void;
  /** Stops a run executing in this process (its status is already `cancelling`). */
  cancel(runId: string): void;
}

/** Background file ingestion as services see it (retrieval/ingestion.ts's IngestionWorker). */
export interface IngestionQueue {
  /** Files were attached (after the commit): look for work now rather than at the next poll. */
  enqueue(): void;
}

export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export interface Deps {
  config: Readonly<Config>;
  /** The API keys callers authenticate with; a SIGHUP reload swaps them. */
  keys: KeyTable;
  store: Store;
  providers: ProviderRegistry;
  usage: UsageRecorder;
  /** The engine's API-neutral run events, as it commits them. */
  events: RunEventBus;
  /** The tools runs can call (the stream encoders ask them how their calls show). */
  tools: ToolRegistry;
  /** The run engine: enqueue(runId) after a commit, cancel(runId). */
  engine: RunQueue;
  /** Uploaded files' bytes. */
  storage: FileStorage;
  embeddings: EmbedderRegistry;
  /** Background file ingestion for vector stores: enqueue() after a file is attached. */
  ingestion: IngestionQueue;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
}

/** Who is calling: resolved from the bearer key by the auth hook. */
export interface Caller {
  tenantId: string;
  apiKeyId: string;
}
