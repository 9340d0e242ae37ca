import type { Db } from '../store/database.js';
import type { RunRow, RunStatus, RunUpdate } from '../store/tables/runs.table.js';

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

export function isTerminal(status: RunStatus): boolean {
  return EDGES[status].length === 0;
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
  if (!canTransition(run.status, to))
    throw new InvalidTransitionError(`run ${run.id}: ${run.status} → ${to} is not allowed`);
  const nowS = Math.floor(opts.nowMs / 1000);
  const update: RunUpdate = { ...timestamps(to, nowS), ...opts.patch, status: to };
  if (to === 'in_progress' && run.started_at === null) update.started_at = nowS;
  if (to !== 'requires_action') update.required_action = null;
  if (isTerminal(to) || to === 'requires_action') {
    update.lease_owner = null;
    update.lease_expires_at = null;
  }
  // Finished runs show no expiry, as OpenAI's do; an expired run keeps the time it expired.
  if (isTerminal(to) && to !== 'expired') update.expires_at = null;
  let q = db.updateTable('runs').set(update).where('id', '=', run.id).where('status', '=', run.status);
  if (opts.leaseOwner) q = q.where('lease_owner', '=', opts.leaseOwner);
  return q.returningAll().executeTakeFirst();
}
