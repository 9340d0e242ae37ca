import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { IdGenerator } from './ids.js';
import type { ProviderRegistry } from './providers/registry.js';
import type { Store } from './store/open-db.js';
import type { UsageRecorder } from './metering/usage-recorder.js';
import type { RunEventBus } from './engine/run-events.js';
import type { ToolRegistry } from './tools/tool.js';
import type { FileStorage } from './storage/file-storage.js';
import type { EmbedderRegistry } from './embeddings/embedder.js';
import type { RunRow } from './store/tables/runs.table.js';
import type { ThreadHistory } from './store/repos/run-messages.repo.js';

// deps.ts names what services need from the engine and the ingestion worker as interfaces of its own, which
// those classes implement: it imports neither, so neither (nor anything they import) is in a cycle with it.

/** The run engine as services see it (engine/run-worker.ts's RunWorker). */
export interface RunQueue {
  /** A run was queued (after the commit): claim it now rather than at the next poll. */
  enqueue(runId: string): void;
  /**
   * Stops a run executing in this process (its status is already `cancelling`, or it has no row: a run started
   * `unwritten`); a no-op for a run not executing here.
   */
  cancel(runId: string): void;
  /**
   * Room in this process's worker for a run its caller inserts already started (status `in_progress`, `lease`'s
   * columns set) in its own transaction, saving the claim's commit; undefined when the worker has none (then the run
   * is inserted queued and enqueued). After the commit `start(run)`, or `release()` when the insert failed.
   */
  reserve?(nowMs: number): RunReservation | undefined;
  /** How long a client polling a run still going should wait between retrieves, in ms. */
  readonly pollAfterMs: number;
}

/** A place for one run in the worker (RunQueue.reserve). */
export interface RunReservation {
  /** The columns that make the inserted run this worker's, under its lease. */
  readonly lease: Pick<RunRow, 'lease_owner' | 'lease_expires_at'>;
  /**
   * The run, committed: executed here now, announced as started. `history`: its thread's whole history, when the
   * caller wrote all of it in the same transaction (a thread made for the run), so the first turn need not read it.
   * `unwritten`: instead, nothing of the run was written, nor will be (a run nothing of is kept, given its thread's
   * whole `history`): it runs in memory (engine/run-driver.ts DriveStart).
   */
  start(run: RunRow, opts?: { history?: ThreadHistory; unwritten?: boolean }): void;
  release(): void;
}

/** Background file ingestion as services see it (retrieval/ingestion.ts's IngestionWorker). */
export interface IngestionQueue {
  /** Files were attached (after the commit): look for work now rather than at the next poll. */
  enqueue(): void;
}

/** The database's keys as the auth hook sees them (services/key-resolver.ts's KeyResolver). */
export interface KeyCache {
  /** The Authorization header's caller, or null for no usable key; synchronous while cached. */
  resolve(header: string): Caller | null | Promise<Caller | null>;
  /** True in open mode: no key configured and none stored. */
  openMode(): boolean | Promise<boolean>;
}

/** A model call let through: the `x-ratelimit-*` headers to answer with, and release() once its answer has gone. */
export interface Admission {
  readonly headers: Record<string, string>;
  /** The same headers, each written to `to` (a Fastify reply): no record built on the way. */
  writeHeaders(to: { header(name: string, value: string): unknown }): void;
  /** Gives back the token reservation (the real usage is counted when recorded); only the first call does. */
  release(): void;
}

/** Projects' per-model rate limits as the API sees them (services/rate-limiter.ts's RateLimiter). */
export interface RateLimits {
  /**
   * Lets a model call through (its headers, or null without a limit) or throws a 429 RateLimitError (synchronously
   * when it answers synchronously): a promise only when it has something to wait for.
   */
  admit(call: {
    tenantId: string;
    model: string;
    tokens: number | (() => number | Promise<number>);
  }): Admission | null | Promise<Admission | null>;
  /** Forgets a project's cached limits (they were just changed). */
  forget(projectId: string): void;
  /** Whether the project has any limit or budget (cached): when not, a request's model need not be looked up. */
  governs(projectId: string): Promise<boolean>;
  /**
   * admit()'s answer when it needs no waiting (cached limits, counts in this process), from one lookup: null (no
   * limit), the admission, or a thrown 429; undefined when admit() must be asked. `size(body)`: the call's tokens.
   */
  admitNow<B>(tenantId: string, model: string, size: (body: B) => number, body: B): Admission | null | undefined;
}

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
  engine: RunQueue;
  /** Uploaded files' bytes. */
  storage: FileStorage;
  embeddings: EmbedderRegistry;
  /** Background file ingestion for vector stores: enqueue() after a file is attached. */
  ingestion: IngestionQueue;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Bearer keys → callers (the auth hook). */
  keys: KeyCache;
  /** Projects' per-model rate limits (services/rate-limiter.ts). */
  limits: RateLimits;
}

/** Who is calling: resolved from the bearer key by the auth hook. */
export interface Caller {
  /** The caller's project ('' for an admin key, which belongs to no project). */
  tenantId: string;
  apiKeyId: string;
  /** An organization admin key: reaches /v1/organization/… only, and sees every project's usage there. */
  admin?: boolean;
}
