import { toJson } from '../store/json.js';
import { findRunById, releaseLease, updateRunFields } from '../store/repos/runs.repo.js';
import type { ThreadHistory } from '../store/repos/run-messages.repo.js';
import type { Db } from '../store/database.js';
import type { RunRow, RunStatus, RunUpdate } from '../store/tables/runs.table.js';
import { lastErrorOf } from '../failures.js';
import { RunTurn, type EngineDeps, type UnkeptRun } from './run-loop.js';
import { RunWriter, type PendingWrite } from './run-writer.js';
import { relaxedCommits, type RelaxedWrite } from '../store/relaxed-commit.js';
import { transition, transitioned } from './run-state.js';
import { publishRun, UnwrittenRuns } from './run-unwritten.js';
import { withStallDeadline } from './stall-deadline.js';

export { publishRun };

export interface DriveOptions {
  /** How long a run waits in requires_action before it expires (OpenAI: 10 minutes). */
  requiresActionTtlMs: number;
  /** A run picked up more often than this (crash loops) fails. */
  maxAttempts: number;
  /** Model turns per run before it fails (a model calling tools forever). */
  maxTurns: number;
  /** A model that answered but then sends nothing for this long fails the run (withStallDeadline). */
  stallTimeoutMs: number;
}

/** How a run came to its driver. */
export interface DriveStart {
  /** The claim itself moved the run from queued to in_progress (committed, not yet announced). */
  started?: boolean;
  /** It was inserted started, in this process (RunQueue.reserve): it has no steps yet. */
  inserted?: boolean;
  /** Its thread's whole history, written with it (RunReservation.start): its first turn need not read it. */
  history?: ThreadHistory;
  /**
   * Nothing of it was written, nor will be (RunReservation.start's `unwritten`): a run nothing of is kept (EngineDeps.unkept)
   * whose run, steps and messages are held in memory (RunWriter.hold) from its thread's `history` on, while it runs
   * here, unleased; its end deletes nothing.
   */
  unwritten?: boolean;
}

/** Why a worker stopped driving a run mid-turn. */
export type AbortReason = 'cancel' | 'shutdown' | 'lease_lost';

/**
 * Drives one claimed run until it ends or waits on the client: every status change goes through
 * run-state's transition (committed), then is published.
 */
export class RunDriver {
  readonly #deps: EngineDeps;
  readonly #opts: DriveOptions;
  readonly #writer: RunWriter;
  readonly #turn: RunTurn;
  readonly #relaxed: RelaxedWrite;
  readonly #unwritten: UnwrittenRuns;
  /** The runs being driven whose rows are not kept (EngineDeps.unkept). */
  readonly #unkept = new Map<string, UnkeptRun>();

  constructor(deps: EngineDeps, opts: DriveOptions) {
    this.#deps = deps;
    this.#opts = opts;
    this.#relaxed = relaxedCommits(deps.db, deps.dialect);
    this.#writer = new RunWriter({
      db: deps.db,
      relaxed: this.#relaxed,
      events: deps.events,
      ids: deps.ids,
      now: () => deps.clock.now(),
      unkept: (runId) => this.#unkept.has(runId),
      forgetsOnCancel: (runId) => this.#forgetsOnCancel(runId),
    });
    const models = (model: string) => withStallDeadline(deps.models(model), { ms: opts.stallTimeoutMs });
    this.#turn = new RunTurn({ ...deps, models }, this.#writer);
    this.#unwritten = new UnwrittenRuns({
      deps,
      relaxed: this.#relaxed,
      writer: this.#writer,
      cancelled: (run, lease) => this.cancelled(run, lease),
      failed: (run, opts) => this.#move(run, 'failed', opts),
    });
  }

  /**
   * Moves the run, or — when it changed meanwhile (a cancel) — settles what it changed to. `lease`:
   * the owner that claimed it; a worker that no longer holds the run moves nothing.
   */
  async #move(run: RunRow, to: RunStatus, opts: { lease: string | null; patch?: RunUpdate; end?: PendingWrite }): Promise<RunRow | undefined> {
    const move = { nowMs: this.#deps.clock.now(), patch: opts.patch, leaseOwner: opts.lease };
    const { end } = opts;
    const unkept = this.#unkept.get(run.id);
    if (this.#writer.holds(run.id)) return this.#unwritten.movedUnwritten(run, to, opts);
    if (unkept?.atEnd && to !== 'in_progress' && to !== 'requires_action') return this.#unwritten.forgetAtEnd(run, to, { ...opts, unkept });
    const write = async (trx: Db) => {
      await end?.write(trx);
      return transition(trx, run, to, move);
    };
    // A run's start is one a restart recovers (it runs it again); every status the client waits for is durable, unless
    // nothing of the run is kept. The turn's last write (its message's end) commits with it, whether or not the run
    // moved (a cancel came meanwhile).
    const moved = await (to === 'in_progress' || unkept
      ? this.#relaxed(write)
      : end
        ? this.#deps.db.transaction().execute(write)
        : transition(this.#deps.db, run, to, move));
    end?.announce();
    if (moved) {
      publishRun(this.#deps, moved);
      return moved;
    }
    const current = await findRunById(this.#deps.db, run.id);
    if (current?.status === 'cancelling') await this.cancelled(current, opts.lease);
    // Its row is gone (its response or thread was deleted meanwhile): its end is announced unwritten, or its stream would wait forever.
    else if (!current) publishRun(this.#deps, transitioned(run, to, { nowMs: move.nowMs, patch: opts.patch }));
    return undefined;
  }

  /** Whether the run's rows go when it is cancelled: nothing of it is kept, and nobody polls it (UnkeptRun.polled). */
  #forgetsOnCancel(runId: string): boolean {
    const unkept = this.#unkept.get(runId);
    return unkept !== undefined && unkept.polled !== true;
  }

  /** A write of the run's status alone: committed on its own, relaxed when nothing of the run is kept. */
  #statusWrite<T>(runId: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return this.#unkept.has(runId) ? this.#relaxed(fn) : fn(this.#deps.db);
  }

  async cancelled(run: RunRow, lease: string | null = null): Promise<void> {
    const move = { nowMs: this.#deps.clock.now(), leaseOwner: lease };
    const moved = await this.#statusWrite(run.id, (db) => transition(db, run, 'cancelled', move));
    // Not moved: ended meanwhile, or its row deleted (a response's DELETE cancels, then deletes), and then nothing else announces its end.
    if (moved) {
      await this.#writer.closeOpenSteps(moved, 'cancelled');
      publishRun(this.#deps, moved);
    } else if (!(await findRunById(this.#deps.db, run.id))) this.#unwritten.cancelledUnwritten(run);
  }

  /** A run that waited past expires_at (queued, or requires_action with no tool outputs). */
  async expired(run: RunRow): Promise<void> {
    const moved = await transition(this.#deps.db, run, 'expired', { nowMs: this.#deps.clock.now() });
    if (!moved) return;
    await this.#writer.closeOpenSteps(moved, 'expired');
    publishRun(this.#deps, moved);
  }

  async fail(run: RunRow, error: { code: string; message: string }, lease: string | null = null): Promise<void> {
    await this.#move(run, 'failed', { lease, patch: { last_error: toJson(error) } });
  }

  /**
   * Drives a run this worker claimed; `signal` aborts with an AbortReason. `started`: the claim itself moved the run
   * from queued to in_progress (committed, not yet announced).
   */
  async drive(claimed: RunRow, signal: AbortSignal, opts: DriveStart = {}): Promise<void> {
    const unkept = await this.#deps.unkept?.(claimed);
    // A run a worker that died left in progress (or cancelling: its client had left): nobody waits for it, and nothing
    // of it is kept. A polled one (a background response) is resumed as every run is.
    if (unkept && !unkept.polled && !opts.started && (claimed.status === 'in_progress' || claimed.status === 'cancelling'))
      return this.#unwritten.forgetInterrupted(claimed, unkept);
    if (unkept) this.#unkept.set(claimed.id, unkept);
    if (opts.unwritten) this.#writer.hold(claimed.id, opts.history);
    try {
      await this.#drive(claimed, signal, opts);
    } catch (err) {
      // Stopped for a shutdown or a lost lease: whoever resumes the run ends it.
      if (signal.aborted && signal.reason !== ('cancel' satisfies AbortReason)) throw err;
      await this.#unwritten.failUnwritten(claimed, err);
    } finally {
      this.#unkept.delete(claimed.id);
      this.#writer.release(claimed.id);
    }
  }

  async #drive(claimed: RunRow, signal: AbortSignal, opts: DriveStart): Promise<void> {
    let run = claimed;
    const lease = claimed.lease_owner;
    if (run.status === 'cancelling') return this.cancelled(run, lease);
    if (run.attempts > this.#opts.maxAttempts)
      return this.fail(run, { code: 'server_error', message: 'The run was interrupted too many times.' }, lease);
    if (opts.started) publishRun(this.#deps, run);
    else if (run.status === 'in_progress') await this.#unwritten.resumeInterrupted(run);
    // The request that queued the run (create, submit_tool_outputs) counted its next model call against the limits.
    let counted = opts.started === true || run.status === 'queued';
    if (run.status === 'queued') {
      const started = await this.#move(run, 'in_progress', { lease });
      if (!started) return;
      run = started;
    }
    // The row is fresh for the first turn of a run started here; later turns re-read it (a cancel from elsewhere).
    let fresh = opts.started === true;
    for (let turn = 0; turn < this.#opts.maxTurns; turn++) {
      if (signal.aborted) return this.#aborted(run, signal.reason as AbortReason, lease);
      // A run held in memory has no row to re-read: it is cancelled only here (RunQueue.cancel aborts `signal`).
      const current = fresh || this.#writer.holds(run.id) ? run : await findRunById(this.#deps.db, run.id);
      fresh = false;
      if (!current || current.status !== 'in_progress') {
        if (current?.status === 'cancelling') await this.cancelled(current, lease);
        return;
      }
      run = current;
      let result;
      try {
        const first = opts.inserted === true && turn === 0;
        result = await this.#turn.run(run, signal, { counted, noSteps: first, history: first ? opts.history : undefined });
        counted = false;
      } catch (err) {
        if (signal.aborted) return this.#aborted(run, signal.reason as AbortReason, lease);
        this.#deps.log.warn({ runId: run.id, err }, 'run failed');
        return this.fail(run, lastErrorOf(err), lease);
      }
      // Stopped (lease lost, shutdown, cancel) while the turn finished: this worker writes no more (but the turn's end).
      if (signal.aborted || result.outcome.kind === 'aborted') {
        if (result.end) await this.#writer.commitEnd(run, result.end);
        return this.#aborted(run, signal.reason as AbortReason, lease);
      }
      const usage = result.usage ? toJson(result.usage) : run.usage;
      const { outcome } = result;
      if (outcome.kind === 'continue') {
        if (this.#writer.holds(run.id)) run = { ...run, usage };
        else await this.#relaxed((trx) => updateRunFields(trx, run.id, { usage }));
        continue;
      }
      const { end } = result;
      if (outcome.kind === 'completed') return void (await this.#move(run, 'completed', { lease, patch: { usage }, end }));
      if (outcome.kind === 'incomplete')
        return void (await this.#move(run, 'incomplete', {
          lease,
          patch: { usage, incomplete_details: toJson({ reason: outcome.reason }) },
          end,
        }));
      const requiredAction = {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: outcome.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
        },
      };
      const expiresAt = Math.floor((this.#deps.clock.now() + this.#opts.requiresActionTtlMs) / 1000);
      return void (await this.#move(run, 'requires_action', {
        lease,
        patch: { usage, required_action: toJson(requiredAction), expires_at: expiresAt },
      }));
    }
    return this.fail(run, { code: 'server_error', message: `The run took more than ${this.#opts.maxTurns} model turns.` }, lease);
  }

  async #aborted(run: RunRow, reason: AbortReason, lease: string | null): Promise<void> {
    if (reason === 'cancel') {
      if (this.#forgetsOnCancel(run.id)) return this.#unwritten.cancelledUnwritten(run, { held: this.#writer.holds(run.id) });
      const current = await findRunById(this.#deps.db, run.id);
      if (current?.status === 'cancelling') await this.cancelled(current, lease);
      // Cancelled and deleted (DELETE of its response): nothing to write, but whoever streams it waits for its end.
      else if (!current) this.#unwritten.cancelledUnwritten(run);
      return;
    }
    // Shutdown: hand the run back (lease free) so a restart or another instance resumes it.
    if (reason === 'shutdown' && lease && !this.#writer.holds(run.id)) await releaseLease(this.#deps.db, { runId: run.id, owner: lease });
    // lease_lost: another worker has the run, or may soon; this one leaves it as it is.
  }
}
