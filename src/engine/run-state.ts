import type { Db } from '../store/database.js';
import { updateRunStatus } from '../store/repos/run-status.repo.js';
import type { RunRow, RunStatus, RunUpdate } from '../store/tables/runs.table.js';
import { metrics } from '../telemetry/metrics.js';

/**
 * The only place a run's status changes. Every move is checked against OpenAI's state machine and
 * written with a compare-and-set on the current status, so a concurrent cancel or a second worker
 * can never be overwritten silently.
 */
const EDGES: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['in_progress', 'cancelling', 'cancelled', 'expired', 'failed'],
  in_progress: ['requires_action', 'completed', 'failed', 'incomplete', 'cancelling', 'expired'],
  // submit_tool_outputs puts the run back in the queue for a worker.
  requires_action: ['queued', 'in_progress', 'cancelling', 'expired', 'failed'],
  cancelling: ['cancelled', 'failed', 'completed', 'incomplete', 'expired'],
  cancelled: [],
  failed: [],
  completed: [],
  incomplete: [],
  expired: [],
};

// The groups of statuses, named once here beside the edges; every list of run statuses in src/ is one of these.
const STATUSES = Object.keys(EDGES) as RunStatus[];
/** Final: no move leads out of them. */
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = STATUSES.filter((s) => EDGES[s].length === 0);
/** Not final: a run in one of these holds its thread (no new run or message until it ends). */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = STATUSES.filter((s) => EDGES[s].length > 0);
/** What a worker executes, under a lease; requires_action waits on the client and holds none. */
export const WORKABLE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'in_progress', 'cancelling'];
/** Waiting to start or for tool outputs: a run still in one of these at its expires_at becomes `expired`. */
export const WAITING_RUN_STATUSES: readonly RunStatus[] = ['queued', 'requires_action'];
/** What POST …/cancel accepts: the statuses with a move to `cancelling`. */
export const CANCELLABLE_RUN_STATUSES: readonly RunStatus[] = STATUSES.filter((s) => EDGES[s].includes('cancelling'));

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}

export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return EDGES[from].includes(to);
}

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
}

/** The timestamp column each status sets, as OpenAI reports them. */
function timestamps(to: RunStatus, nowS: number): RunUpdate {
  switch (to) {
    case 'completed':
      return { completed_at: nowS };
    case 'failed':
      return { failed_at: nowS };
    case 'cancelled':
      return { cancelled_at: nowS };
    default:
      return {};
  }
}

/**
 * Moves `run` to `to` if it is still in `run.status` (and, with `leaseOwner`, still leased by that
 * worker: one that lost its lease writes nothing). Returns the updated row, or undefined when the
 * run changed meanwhile (the caller re-reads and decides). Throws on a move the machine forbids.
 */
export async function transition(
  db: Db,
  run: Pick<RunRow, 'id' | 'status' | 'started_at'>,
  to: RunStatus,
  opts: { nowMs: number; patch?: RunUpdate; leaseOwner?: string | null },
): Promise<RunRow | undefined> {
  const update = transitionUpdate(run, to, opts);
  const moved = await updateRunStatus(db, { runId: run.id, from: run.status, leaseOwner: opts.leaseOwner, update });
  if (moved) metrics.runMoved(to, isTerminal(to), Math.floor(opts.nowMs / 1000) - moved.created_at);
  return moved;
}

/**
 * The row `transition` would leave, for a run whose row is deleted in the same transaction instead (an unkept run's
 * end, EngineDeps.unkept): the same checks and columns, nothing written.
 */
export function transitioned(run: RunRow, to: RunStatus, opts: { nowMs: number; patch?: RunUpdate }): RunRow {
  const moved = { ...run, ...transitionUpdate(run, to, opts) } as RunRow;
  metrics.runMoved(to, isTerminal(to), Math.floor(opts.nowMs / 1000) - moved.created_at);
  return moved;
}

/** The columns a move of `run` to `to` sets; throws on a move the machine forbids. */
function transitionUpdate(run: Pick<RunRow, 'id' | 'status' | 'started_at'>, to: RunStatus, opts: { nowMs: number; patch?: RunUpdate }): RunUpdate {
  if (!canTransition(run.status, to))
    throw new InvalidTransitionError(`run ${run.id}: ${run.status} → ${to} is not allowed`);
  const nowS = Math.floor(opts.nowMs / 1000);
  const update: RunUpdate = { ...timestamps(to, nowS), ...opts.patch, status: to };
  if (to === 'in_progress' && run.started_at === null) update.started_at = nowS;
  if (to !== 'requires_action') update.required_action = null;
  if (!WORKABLE_RUN_STATUSES.includes(to)) {
    update.lease_owner = null;
    update.lease_expires_at = null;
  }
  // Finished runs show no expiry, as OpenAI's do; an expired run keeps the time it expired.
  if (isTerminal(to) && to !== 'expired') update.expires_at = null;
  return update;
}
