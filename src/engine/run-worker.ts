import { randomToken } from '../ids.js';
import { claimRun, findExpiredRuns, findRunById, renewLease } from '../store/repos/runs.repo.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { RunDriver, type AbortReason, type DriveOptions } from './run-driver.js';
import type { EngineDeps } from './run-loop.js';

export interface WorkerOptions extends DriveOptions {
  /** A claimed run's lease; renewed every third of it while the run executes. */
  leaseMs: number;
  /** How often the worker looks for work it was not told about (other instances, lapsed leases, expiries). */
  pollMs: number;
  /** Runs executing at once in this process. */
  concurrency: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  leaseMs: 30_000,
  pollMs: 1_000,
  concurrency: 32,
  requiresActionTtlMs: 10 * 60_000,
  maxAttempts: 3,
  maxTurns: 32,
  stallTimeoutMs: 60_000,
};

/**
 * Executes runs: claims queued runs (and runs whose worker's lease lapsed) under a lease, drives
 * each with a RunDriver, renews the lease while it works, and expires runs that waited too long.
 * On SQLite the database belongs to this one process, so a restart takes its runs back at once.
 */
export class RunWorker {
  readonly #deps: EngineDeps;
  readonly #opts: WorkerOptions;
  readonly #driver: RunDriver;
  readonly #owner = `worker_${randomToken(12)}`;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #polling = false;
  readonly #pending = new Set<Promise<unknown>>();

  constructor(deps: EngineDeps, opts: Partial<WorkerOptions> = {}) {
    this.#deps = deps;
    this.#opts = { ...DEFAULT_WORKER_OPTIONS, ...opts };
    this.#driver = new RunDriver(deps, this.#opts);
  }

  async start(): Promise<void> {
    if (this.#deps.dialect === 'sqlite') {
      // Leases held by a previous process of this database are void: it is gone.
      await this.#deps.db
        .updateTable('runs')
        .set({ lease_owner: null, lease_expires_at: null })
        .where('status', 'in', ['queued', 'in_progress', 'cancelling'])
        .execute();
    }
    this.#timer = setInterval(() => this.#track(this.poll()), this.#opts.pollMs);
    this.#timer.unref();
    this.#track(this.poll());
  }

  /** A run was queued here: claim it now rather than at the next poll. */
  enqueue(runId: string): void {
    this.#track(this.#claim(runId).catch((err: unknown) => this.#deps.log.error({ err, runId }, 'could not claim run')));
  }

  /** Work that touches the database outside a run: stop() waits for it before the store closes. */
  #track(work: Promise<unknown>): void {
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  /** Stops a run executing in this process (its status is already `cancelling`). */
  cancel(runId: string): void {
    this.#running.get(runId)?.controller.abort('cancel' satisfies AbortReason);
  }

  /** One pass: expire runs that waited too long, then claim what there is room for. */
  async poll(): Promise<void> {
    if (this.#polling || this.#stopping) return;
    this.#polling = true;
    try {
      await this.#expire();
      while (!this.#stopping && this.#running.size < this.#opts.concurrency) {
        if (!(await this.#claim())) break;
      }
    } catch (err) {
      this.#deps.log.error({ err }, 'run worker poll failed');
    } finally {
      this.#polling = false;
    }
  }

  async #claim(runId?: string): Promise<boolean> {
    if (this.#stopping || this.#running.size >= this.#opts.concurrency) return false;
    const run = await claimRun(this.#deps.db, {
      dialect: this.#deps.dialect,
      owner: this.#owner,
      nowMs: this.#deps.clock.now(),
      leaseMs: this.#opts.leaseMs,
      runId,
    });
    if (!run) return false;
    this.#execute(run);
    return true;
  }

  #execute(run: RunRow): void {
    const controller = new AbortController();
    const heartbeat = setInterval(() => void this.#heartbeat(run.id, controller), Math.max(50, this.#opts.leaseMs / 3));
    heartbeat.unref();
    const done = this.#driver
      .drive(run, controller.signal)
      .catch((err: unknown) => this.#deps.log.error({ err, runId: run.id }, 'run driver crashed'))
      .finally(() => {
        clearInterval(heartbeat);
        this.#running.delete(run.id);
        if (!this.#stopping) this.#track(this.poll());
      });
    this.#running.set(run.id, { controller, done });
  }

  /** Renews the lease; a cancel requested through another instance is noticed here too. */
  async #heartbeat(runId: string, controller: AbortController): Promise<void> {
    try {
      const now = this.#deps.clock.now();
      const held = await renewLease(this.#deps.db, { runId, owner: this.#owner, untilMs: now + this.#opts.leaseMs });
      if (!held) return controller.abort('lease_lost' satisfies AbortReason);
      const run = await findRunById(this.#deps.db, runId);
      if (run?.status === 'cancelling') controller.abort('cancel' satisfies AbortReason);
    } catch (err) {
      this.#deps.log.warn({ err, runId }, 'lease renewal failed');
    }
  }

  async #expire(): Promise<void> {
    const nowS = Math.floor(this.#deps.clock.now() / 1000);
    for (const run of await findExpiredRuns(this.#deps.db, nowS)) await this.#driver.expired(run);
  }

  /** Stops claiming, hands runs in flight back (their leases freed) and waits for them to settle. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    for (const { controller } of this.#running.values()) controller.abort('shutdown' satisfies AbortReason);
    await Promise.all([...this.#running.values()].map((r) => r.done));
    await Promise.all(this.#pending);
  }

  get owner(): string {
    return this.#owner;
  }
}

