import { compiledQuery } from '../compiled-query.js';
import type { Db } from '../database.js';
import type { RunRow, RunStatus, RunUpdate } from '../tables/runs.table.js';

/** A move's values: the columns it sets, and where (`$`-named, no column's name). */
type MoveParams = Record<string, unknown> & { $runId: string; $from: RunStatus; $leaseOwner: string | null };

/**
 * The compare-and-set of each shape (the columns set, whether a lease is checked), compiled once (compiled-query.ts):
 * every run moves several times and building the update took ~0.15 ms of CPU a response. Shapes come from
 * run-state.ts's code, not from clients: a handful.
 */
const moves = new Map<string, (db: Db, p: MoveParams) => Promise<RunRow[]>>();

function moveQuery(columns: readonly string[], leased: boolean) {
  return compiledQuery((db, p: MoveParams) => {
    const set: RunUpdate = Object.fromEntries(columns.map((c) => [c, p[c]]));
    let q = db.updateTable('runs').set(set).where('id', '=', p.$runId).where('status', '=', p.$from);
    if (leased) q = q.where('lease_owner', '=', p.$leaseOwner);
    return q.returningAll();
  });
}

/**
 * engine/run-state.ts's compare-and-set: writes `update` only if the run is still in `from` (and, with
 * `leaseOwner`, still leased by it). Returns the updated row, or undefined when the run changed meanwhile.
 * A file of its own, not runs.repo.ts: runs.repo.ts reads the status groups from run-state.ts, which imports this.
 */
export async function updateRunStatus(
  db: Db,
  opts: { runId: string; from: RunStatus; leaseOwner?: string | null; update: RunUpdate },
): Promise<RunRow | undefined> {
  const values: Record<string, unknown> = opts.update;
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  const leased = Boolean(opts.leaseOwner);
  const shape = `${leased ? 'leased' : 'any'}:${columns.join(',')}`;
  let move = moves.get(shape);
  if (!move) moves.set(shape, (move = moveQuery(columns, leased)));
  const [row] = await move(db, { ...values, $runId: opts.runId, $from: opts.from, $leaseOwner: opts.leaseOwner ?? null });
  return row;
}
