import { randomToken } from '../ids.js';
import { transition } from './run-state.js';
import { claimRun, findExpiredRuns, releaseLeases, renewLeases, voidRunLeases } from '../store/repos/runs.repo.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { relaxedCommits, type RelaxedWrite } from '../store/relaxed-commit.js';
import { claimInstanceIdentity, type InstanceIdentity } from './instance-identity.js';
import { LeaseKeeper } from './lease-keeper.js';
import { PollHint } from './poll-hint.js';
import { RunDriver, type AbortReason, type DriveOptions, type DriveStart } from './run-driver.js';
import type { EngineDeps } from './run-loop.js';
import { tracing } from '../telemetry/tracing.js';
import { metrics } from '../telemetry/metrics.js';
import type { RunReservation } from '../deps.js';

export interface WorkerOptions extends DriveOptions {
  /** A claimed run's lease; renewed every third of it while the run executes. */
  leaseMs: number;
  /**
   * Where this instance keeps its id, so that after a crash it takes back the runs it held at once
   * instead of waiting for their leases to lapse. Unset: a fresh id per process.
   */
  identityFile?: string;
  /** PostgreSQL: the database URL, for the connection that holds this instance's id. */
  databaseUrl?: string;
  /** How often the worker looks for work it was not told about (other instances, lapsed leases, expiries). */
  pollMs: number;
  /** Runs executing at once in this process. */
  concurrency: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  leaseMs: 10_000,
  pollMs: 1_000,
  concurrency: 32,
  requiresActionTtlMs: 10 * 60_000,
  maxAttempts: 3,
  maxTurns: 32,
  stallTimeoutMs: 60_000,
};

/**
 * Executes runs: claims queued runs (and runs whose worker's lease lapsed) under a lease, drives
 * each with a RunDriver, renews the leases while it works (LeaseKeeper), and expires runs that
 * waited too long. A restart takes its runs back at once: on SQLite the database belongs to this one
 * process; on PostgreSQL the instance finds the runs leased under its persisted id.
 */
export class RunWorker {
  readonly #deps: EngineDeps;
  readonly #opts: WorkerOptions;
  readonly #driver: RunDriver;
  readonly #relaxed: RelaxedWrite;
  #owner = `worker_${randomToken(12)}`;
  #identity: InstanceIdentity | undefined;
  readonly #leases: LeaseKeeper;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #polling = false;
  #started = false;
  /** A run may wait in the queue for room here: look again when a run ends (else the next poll will). */
  #full = false;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #pollHint = new PollHint();
  /** Places promised to runs being inserted started (reserve), not executing yet. */
  #reserved = 0;

  constructor(deps: EngineDeps, opts: Partial<WorkerOptions> = {}) {
    this.#deps = deps;
    this.#opts = { ...DEFAULT_WORKER_OPTIONS, ...opts };
    this.#driver = new RunDriver(deps, this.#opts);
    this.#relaxed = relaxedCommits(deps.db, deps.dialect);
    this.#leases = new LeaseKeeper({
      leaseMs: this.#opts.leaseMs,
      stopBeforeLapse: deps.dialect === 'postgres',
      now: () => deps.clock.now(),
      renew: (runIds, untilMs) => renewLeases(deps.db, { runIds, owner: this.#owner, untilMs }),
      log: deps.log,
    });
  }

  async start(): Promise<void> {
    this.#identity = await claimInstanceIdentity({
      file: this.#opts.identityFile,
      databaseUrl: this.#opts.databaseUrl,
      dialect: this.#deps.dialect,
      log: this.#deps.log,
      checkMs: Math.max(30, this.#opts.leaseMs / 3),
      onLost: (err) => this.#identityLost(err),
    });
    this.#owner = this.#identity.id;
    if (this.#deps.dialect === 'sqlite') {
      // Leases held by a previous process of this database are void: it is gone.
      await voidRunLeases(this.#deps.db);
    } else if (this.#identity.exclusive) {
      // Runs leased under this id were left by this instance's previous process, which is gone.
      const taken = await releaseLeases(this.#deps.db, this.#owner);
      if (taken > 0) this.#deps.log.warn({ runs: taken, owner: this.#owner }, 'taking back the runs this instance held before it stopped');
    }
    this.#started = true;
    this.#timer = setInterval(() => this.#track(this.poll()), this.#opts.pollMs);
    this.#timer.unref();
    this.#track(this.poll());
  }

  /** A run was queued here: claim it now rather than at the next poll. */
  enqueue(runId: string): void {
    tracing.noteRunOrigin(runId);
    this.#track(this.#claim(runId).catch((err: unknown) => this.#deps.log.error({ err, runId }, 'could not claim run')));
  }

  /** See RunQueue.reserve (deps.ts): a run its caller inserts started and leased by this worker. */
  reserve(nowMs: number): RunReservation | undefined {
    if (!this.#started || this.#stopping || this.#running.size + this.#reserved >= this.#opts.concurrency) return undefined;
    this.#reserved++;
    let open = true;
    const settle = () => {
      if (open) this.#reserved--;
      open = false;
    };
    return {
      lease: { lease_owner: this.#owner, lease_expires_at: nowMs + this.#opts.leaseMs },
      start: (run, opts = {}) => {
        settle();
        tracing.noteRunOrigin(run.id);
        metrics.runMoved('in_progress', false, 0);
        this.#execute(run, nowMs, { started: true, inserted: true, ...opts });
      },
      release: settle,
    };
  }

  /** Work that touches the database outside a run: stop() waits for it before the store closes. */
  #track(work: Promise<unknown>): void {
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
  }

  /** See RunQueue.cancel (deps.ts): stops a run executing in this process. */
  cancel(runId: string): void {
    this.#running.get(runId)?.controller.abort('cancel' satisfies AbortReason);
  }

  /** One pass: expire runs that waited too long, then claim what there is room for. */
  async poll(): Promise<void> {
    if (this.#polling || this.#stopping) return;
    this.#polling = true;
    try {
      await this.#expire();
      while (!this.#stopping) {
        if (!(await this.#claim())) break;
      }
    } catch (err) {
      this.#deps.log.error({ err }, 'run worker poll failed');
    } finally {
      this.#polling = false;
    }
  }

  async #claim(runId?: string): Promise<boolean> {
    // Before start() the worker has no identity yet: start's first poll picks the run up.
    if (!this.#started || this.#stopping) return false;
    if (this.#running.size + this.#reserved >= this.#opts.concurrency) {
      this.#full = true;
      return false;
    }
    const nowMs = this.#deps.clock.now();
    // A claim lost to a power cut leaves the run unleased: it is claimed again (store/relaxed-commit.ts). A queued
    // run starts in the same transaction (one commit, not two, before its first model call).
    const claim = { dialect: this.#deps.dialect, owner: this.#owner, nowMs, leaseMs: this.#opts.leaseMs, runId };
    const claimed = await this.#relaxed(async (trx) => {
      const run = await claimRun(trx, claim);
      if (run?.status !== 'queued') return run && { run, started: false };
      const started = await transition(trx, run, 'in_progress', { nowMs, leaseOwner: run.lease_owner });
      return started ? { run: started, started: true } : { run, started: false };
    });
    if (!claimed) return false;
    this.#execute(claimed.run, nowMs, { started: claimed.started });
    return true;
  }

  #execute(run: RunRow, claimedAtMs: number, how: DriveStart): void {
    const controller = new AbortController();
    // A run with no row (DriveStart.unwritten) has no lease to keep: no other worker can claim it.
    if (!how.unwritten) this.#leases.hold(run.id, controller, claimedAtMs);
    const done = tracing
      .inRunSpan(run, () => this.#driver.drive(run, controller.signal, how))
      .catch((err: unknown) => this.#deps.log.error({ err, runId: run.id }, 'run driver crashed'))
      .finally(() => {
        this.#pollHint.record(this.#deps.clock.now() - claimedAtMs);
        this.#leases.release(run.id);
        this.#running.delete(run.id);
        // Only a worker that turned work away looks for it now: a query pair saved after every run.
        if (!this.#stopping && this.#full) {
          this.#full = false;
          this.#track(this.poll());
        }
      });
    this.#running.set(run.id, { controller, done });
  }

  /**
   * The session that held this instance's id went away while the process lives: a new process on the
   * same data dir may take the id and the runs leased under it, so this one stops them and goes on
   * under a fresh id.
   */
  #identityLost(err: unknown): void {
    this.#deps.log.error({ err, owner: this.#owner }, 'lost the lock on this instance id; stopping its runs and taking a new id');
    this.#owner = `worker_${randomToken(12)}`;
    for (const { controller } of this.#running.values()) controller.abort('lease_lost' satisfies AbortReason);
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
    await this.#identity?.release();
  }

  /** The `openai-poll-after-ms` hint from this instance's recent runs (poll-hint.ts). */
  get pollAfterMs(): number {
    return this.#pollHint.ms;
  }

  get owner(): string {
    return this.#owner;
  }
}

