import { compiledInsert, compiledQuery } from '../compiled-query.js';
import type { Db, DialectName } from '../database.js';
import { notFound } from '../../errors.js';
import { ACTIVE_RUN_STATUSES, WAITING_RUN_STATUSES, WORKABLE_RUN_STATUSES as WORKABLE } from '../../engine/run-state.js';
import type { NewRunRow, RunRow, RunUpdate } from '../tables/runs.table.js';

/** The thread's run that holds it (one in ACTIVE_RUN_STATUSES), if any. */
export function findActiveRun(db: Db, tenantId: string, threadId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('thread_id', '=', threadId)
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .executeTakeFirst();
}

/** Inserted for every run and every response: compiled once per column set (store/compiled-query.ts). */
export const insertRun: (db: Db, row: NewRunRow) => Promise<RunRow> = compiledInsert((db, row: NewRunRow) => db.insertInto('runs').values(row).returningAll());

export function findRun(db: Db, tenantId: string, threadId: string, runId: string): Promise<RunRow | undefined> {
  return db
    .selectFrom('runs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('thread_id', '=', threadId)
    .where('id', '=', runId)
    .executeTakeFirst();
}

export async function getRun(db: Db, tenantId: string, threadId: string, runId: string): Promise<RunRow> {
  const run = await findRun(db, tenantId, threadId, runId);
  if (!run) throw notFound('run', runId);
  return run;
}

/** For the engine, which works across tenants by run id only. */
const runById = compiledQuery((db, p: { runId: string }) => db.selectFrom('runs').selectAll().where('id', '=', p.runId));

/** Read between a run's turns (compiled once: store/compiled-query.ts). */
export async function findRunById(db: Db, runId: string): Promise<RunRow | undefined> {
  return (await runById(db, { runId }))[0];
}

export function updateRunFields(db: Db, runId: string, patch: RunUpdate): Promise<RunRow | undefined> {
  return db.updateTable('runs').set(patch).where('id', '=', runId).returningAll().executeTakeFirst();
}

/**
 * Leases the oldest workable run whose lease is free or lapsed (a crashed worker's), or the given run.
 * PostgreSQL: FOR UPDATE SKIP LOCKED, so instances sharing the database never claim the same run.
 */
export async function claimRun(
  db: Db,
  opts: { dialect: DialectName; owner: string; nowMs: number; leaseMs: number; runId?: string },
): Promise<RunRow | undefined> {
  const claim = CLAIMS[opts.dialect][opts.runId ? 'byId' : 'next'];
  const [run] = await claim(db, { owner: opts.owner, nowMs: opts.nowMs, untilMs: opts.nowMs + opts.leaseMs, runId: opts.runId ?? '' });
  return run;
}

/** The claim's query: built for every claim of every run before, now compiled once per shape (store/compiled-query.ts). */
function claimQuery(opts: { byId: boolean; skipLocked: boolean }) {
  return compiledQuery((db, p: { owner: string; nowMs: number; untilMs: number; runId: string }) => {
    let pick = db
      .selectFrom('runs')
      .select('id')
      .where('status', 'in', WORKABLE)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', p.nowMs)]))
      .orderBy('seq')
      .limit(1);
    if (opts.byId) pick = pick.where('id', '=', p.runId);
    if (opts.skipLocked) pick = pick.forUpdate().skipLocked();
    return db
      .updateTable('runs')
      .set((eb) => ({
        lease_owner: p.owner,
        lease_expires_at: p.untilMs,
        // Counts pick-ups of a run some worker had already started: crash recoveries.
        attempts: eb.case().when('status', '=', 'in_progress').then(eb('attempts', '+', 1)).else(eb.ref('attempts')).end(),
      }))
      .where('id', '=', pick)
      .where('status', 'in', WORKABLE)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', p.nowMs)]))
      .returningAll();
  });
}

const CLAIMS = {
  sqlite: { next: claimQuery({ byId: false, skipLocked: false }), byId: claimQuery({ byId: true, skipLocked: false }) },
  postgres: { next: claimQuery({ byId: false, skipLocked: true }), byId: claimQuery({ byId: true, skipLocked: true }) },
};

/** Extends the leases the owner still holds; returns those runs (the others were lost). */
export async function renewLeases(
  db: Db,
  opts: { runIds: string[]; owner: string; untilMs: number },
): Promise<Array<Pick<RunRow, 'id' | 'status'>>> {
  if (opts.runIds.length === 0) return [];
  return db
    .updateTable('runs')
    .set({ lease_expires_at: opts.untilMs })
    .where('id', 'in', opts.runIds)
    .where('lease_owner', '=', opts.owner)
    .returning(['id', 'status'])
    .execute();
}

/** Hands one run back (lease free) if the owner still holds it. */
export async function releaseLease(db: Db, opts: { runId: string; owner: string }): Promise<void> {
  await db
    .updateTable('runs')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', opts.runId)
    .where('lease_owner', '=', opts.owner)
    .execute();
}

/** Frees the leases an owner holds: a restarted instance hands back what its previous process held. */
export async function releaseLeases(db: Db, owner: string): Promise<number> {
  const r = await db
    .updateTable('runs')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('lease_owner', '=', owner)
    .where('status', 'in', WORKABLE)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** SQLite: the database belongs to one process, so a previous process's run leases are void. */
export async function voidRunLeases(db: Db): Promise<void> {
  await db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null }).where('status', 'in', WORKABLE).execute();
}

/** Runs waiting past their expiry: in WAITING_RUN_STATUSES with expires_at before now. */
export function findExpiredRuns(db: Db, nowS: number): Promise<RunRow[]> {
  return expiredRunsQuery(db, nowS).execute();
}

/** findExpiredRuns's query, which every worker poll sends: the index runs_status_expires_at serves it. */
export function expiredRunsQuery(db: Db, nowS: number) {
  return db.selectFrom('runs').selectAll().where('status', 'in', WAITING_RUN_STATUSES).where('expires_at', '<', nowS).limit(100);
}
