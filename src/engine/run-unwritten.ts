import { fromJson, toJson } from '../store/json.js';
import { deleteConversationItems } from '../store/repos/conversation-items.repo.js';
import { deleteMessages } from '../store/repos/run-messages.repo.js';
import { deleteUnfinishedSteps } from '../store/repos/run-steps.repo.js';
import { findRunById } from '../store/repos/runs.repo.js';
import type { RelaxedWrite } from '../store/relaxed-commit.js';
import type { RunRow, RunStatus, RunUpdate } from '../store/tables/runs.table.js';
import type { EngineDeps, UnkeptRun } from './run-loop.js';
import type { RunEventBus } from './run-events.js';
import { stepReasoningId, type PendingWrite, type RunWriter } from './run-writer.js';
import { isTerminal, transitioned } from './run-state.js';

/** Announces a run's committed status. */
export function publishRun(deps: { events: RunEventBus }, run: RunRow): void {
  deps.events.publish(run.id, { type: 'run.status', run });
}

/** What the driver lends for the ends of runs whose rows are not written: moves that go through it. */
export interface UnwrittenRunsOptions {
  deps: EngineDeps;
  relaxed: RelaxedWrite;
  writer: RunWriter;
  /** The driver's move to `cancelled` (RunDriver.cancelled). */
  cancelled: (run: RunRow, lease: string | null) => Promise<void>;
  /** The driver's move to `failed` with `patch`. */
  failed: (run: RunRow, opts: { lease: string | null; patch: RunUpdate }) => Promise<unknown>;
}

/**
 * The runs whose rows are not as their turns left them: those nothing of is kept (UnkeptRun: forgotten at their end or
 * when cancelled, or when found interrupted), those a dead worker left mid-turn (resumed), and those the database
 * refused to write (failed as they can be).
 */
export class UnwrittenRuns {
  readonly #o: UnwrittenRunsOptions;

  constructor(opts: UnwrittenRunsOptions) {
    this.#o = opts;
  }

  /**
   * The end of a run whose rows go with it (UnkeptRun.atEnd): they are deleted in one relaxed commit, nothing is written
   * first, and the end is announced as if it had been.
   */
  async forgetAtEnd(run: RunRow, to: RunStatus, opts: { patch?: RunUpdate; end?: PendingWrite; unkept: UnkeptRun }): Promise<RunRow> {
    const moved = transitioned(run, to, { nowMs: this.#o.deps.clock.now(), patch: opts.patch });
    await this.#o.relaxed((trx) => opts.unkept.forget(trx));
    return this.#announceUnwritten(moved, opts.end);
  }

  /**
   * A move of a run held in memory (RunWriter.hold), whose rows are never written: checked as every move is, its turn's
   * last write (`end`) held, and announced as if written.
   */
  movedUnwritten(run: RunRow, to: RunStatus, opts: { patch?: RunUpdate; end?: PendingWrite }): RunRow {
    return this.#announceUnwritten(transitioned(run, to, { nowMs: this.#o.deps.clock.now(), patch: opts.patch }), opts.end);
  }

  #announceUnwritten(moved: RunRow, end: PendingWrite | undefined): RunRow {
    end?.skip();
    end?.announce();
    publishRun(this.#o.deps, moved);
    return moved;
  }

  /**
   * A run cancelled mid-turn whose rows are gone or go with the cancel (an unkept run whose client left; a response
   * deleted while it ran): its end is announced unwritten. `held`: a run held in memory (RunWriter.hold), which no
   * cancel moved to `cancelling` first (it has no row to move): that move is announced too.
   */
  cancelledUnwritten(run: RunRow, opts: { held?: boolean } = {}): void {
    const nowMs = this.#o.deps.clock.now();
    const cancelling = opts.held ? transitioned(run, 'cancelling', { nowMs }) : { ...run, status: 'cancelling' as const };
    if (opts.held) publishRun(this.#o.deps, cancelling);
    publishRun(this.#o.deps, transitioned(cancelling, 'cancelled', { nowMs }));
  }

  /** A run left in progress by a worker that died: nobody waits for it, and nothing of it is kept. */
  async forgetInterrupted(run: RunRow, unkept: UnkeptRun): Promise<void> {
    await this.#o.relaxed((trx) => unkept.forget(trx));
    this.#o.deps.log.warn({ runId: run.id }, 'forgetting an interrupted run whose rows are not kept');
  }

  /**
   * A run claimed while in_progress was left by a worker that died mid-turn. The turn's unfinished
   * steps, the message it was writing and the reasoning before them are removed, and the turn runs again: no message is lost
   * or written twice.
   */
  async resumeInterrupted(run: RunRow): Promise<void> {
    const { db, log } = this.#o.deps;
    const steps = await deleteUnfinishedSteps(db, run.id);
    const messageIds = steps
      .filter((s) => s.type === 'message_creation')
      .map((s) => fromJson<{ message_creation?: { message_id?: string } }>(s.step_details, {}).message_creation?.message_id)
      .filter((id): id is string => typeof id === 'string');
    await deleteMessages(db, messageIds);
    await deleteConversationItems(db, steps.map(stepReasoningId).filter((id): id is string => id !== undefined));
    log.warn({ runId: run.id, attempt: run.attempts, steps: steps.length }, 'resuming an interrupted run');
  }

  /**
   * The database refused a write of the run (its end's transaction, most often: SQLITE_BUSY, a full disk, a lost
   * connection), which rolled back. The run fails with a server_error, written on its own if the database takes it;
   * if not, its failure is announced all the same, so no client waits on it, and its row stays as a crash would leave
   * it (a restart recovers it). The model is not called again.
   */
  async failUnwritten(claimed: RunRow, err: unknown): Promise<void> {
    const { deps } = this.#o;
    deps.log.error({ runId: claimed.id, err }, 'could not write the run; failing it');
    const lease = claimed.lease_owner;
    const patch = { last_error: toJson({ code: 'server_error', message: "The run's result could not be saved." }) };
    let run = claimed;
    try {
      // A run held in memory (RunWriter.hold) has no row to read.
      const current = this.#o.writer.holds(claimed.id) ? undefined : await findRunById(deps.db, claimed.id);
      // Its row is gone (deleted meanwhile): nothing to write, but whoever streams it waits for its end.
      if (!current) {
        if (!isTerminal(run.status)) publishRun(deps, transitioned(run, 'failed', { nowMs: deps.clock.now(), patch }));
        return;
      }
      if (isTerminal(current.status)) return;
      run = current;
      if (current.status === 'cancelling') return await this.#o.cancelled(current, lease);
      // Its turn's step is left open by the end that rolled back: it fails first, as OpenAI orders a failure's events.
      await this.#o.writer.closeOpenSteps(current, 'failed');
      await this.#o.failed(current, { lease, patch });
    } catch (again) {
      deps.log.error({ runId: claimed.id, err: again }, 'could not write the run failed either; announcing it');
      if (!isTerminal(run.status)) publishRun(deps, transitioned(run, 'failed', { nowMs: deps.clock.now(), patch }));
    }
  }
}
