import { compiledInsert, compiledQuery } from '../compiled-query.js';
import type { Db } from '../database.js';
import { notFound } from '../../errors.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { NewRunStepRow, RunStepRow, RunStepUpdate } from '../tables/run-steps.table.js';

/** Inserted for every step of every run: compiled once per column set (store/compiled-query.ts). */
export const insertRunStep: (db: Db, row: NewRunStepRow) => Promise<RunStepRow> = compiledInsert((db, row: NewRunStepRow) =>
  db.insertInto('run_steps').values(row).returningAll(),
);

export function updateRunStep(db: Db, stepId: string, patch: RunStepUpdate): Promise<RunStepRow | undefined> {
  return db.updateTable('run_steps').set(patch).where('id', '=', stepId).returningAll().executeTakeFirst();
}

// Read for every turn of every run: compiled once (store/compiled-query.ts).
const stepsOfRun = compiledQuery((db, p: { runId: string }) => db.selectFrom('run_steps').selectAll().where('run_id', '=', p.runId).orderBy('seq'));

/** A run's steps in creation order (the engine replays them into the prompt). */
export function listAllRunSteps(db: Db, runId: string): Promise<RunStepRow[]> {
  return stepsOfRun(db, { runId });
}

export function listRunSteps(
  db: Db,
  scope: { tenantId: string; threadId: string; runId: string },
  window: SeqWindow,
): Promise<RunStepRow[]> {
  const q = db
    .selectFrom('run_steps')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('thread_id', '=', scope.threadId)
    .where('run_id', '=', scope.runId);
  return applySeqWindow(q, 'seq', window).execute();
}

export async function runStepSeq(
  db: Db,
  scope: { tenantId: string; runId: string },
  stepId: string,
): Promise<number | undefined> {
  const r = await db
    .selectFrom('run_steps')
    .select('seq')
    .where('tenant_id', '=', scope.tenantId)
    .where('run_id', '=', scope.runId)
    .where('id', '=', stepId)
    .executeTakeFirst();
  return r?.seq;
}

export async function getRunStep(
  db: Db,
  scope: { tenantId: string; threadId: string; runId: string },
  stepId: string,
): Promise<RunStepRow> {
  const step = await db
    .selectFrom('run_steps')
    .selectAll()
    .where('tenant_id', '=', scope.tenantId)
    .where('thread_id', '=', scope.threadId)
    .where('run_id', '=', scope.runId)
    .where('id', '=', stepId)
    .executeTakeFirst();
  if (!step) throw notFound('run step', stepId);
  return step;
}

/** Steps a crashed worker left half-done; recovery removes them and does their work again. */
export function deleteUnfinishedSteps(db: Db, runId: string): Promise<RunStepRow[]> {
  return db
    .deleteFrom('run_steps')
    .where('run_id', '=', runId)
    .where('status', '=', 'in_progress')
    .returningAll()
    .execute();
}
