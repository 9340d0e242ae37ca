import type { Db } from '../database.js';
import type { RunRow, RunStatus, RunUpdate } from '../tables/runs.table.js';

/**
 * engine/run-state.ts's compare-and-set: writes `update` only if the run is still in `from` (and, with
 * `leaseOwner`, still leased by it). Returns the updated row, or undefined when the run changed meanwhile.
 * A file of its own, not runs.repo.ts: runs.repo.ts reads the status groups from run-state.ts, which imports this.
 */
export function updateRunStatus(
  db: Db,
  opts: { runId: string; from: RunStatus; leaseOwner?: string | null; update: RunUpdate },
): Promise<RunRow | undefined> {
  let q = db.updateTable('runs').set(opts.update).where('id', '=', opts.runId).where('status', '=', opts.from);
  if (opts.leaseOwner) q = q.where('lease_owner', '=', opts.leaseOwner);
  return q.returningAll().executeTakeFirst();
}
