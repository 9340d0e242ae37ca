import type { Db } from '../database.js';
import { applySeqWindow, type SeqWindow } from '../pagination.js';
import type { NewProjectRow, ProjectRow } from '../tables/projects.table.js';

/** Projects are the organization's, not a tenant's: only admin keys reach them. */

export function insertProject(db: Db, row: NewProjectRow): Promise<ProjectRow> {
  return db.insertInto('projects').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Inserts the project unless one with its id exists (an import at start, on any number of instances). */
export async function insertProjectIfMissing(db: Db, row: NewProjectRow): Promise<void> {
  await db.insertInto('projects').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export function findProject(db: Db, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Finds a project by id, else by name (the CLI's `--project`); the oldest of several with that name. */
export function findProjectByIdOrName(db: Db, idOrName: string): Promise<ProjectRow | undefined> {
  return db
    .selectFrom('projects')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .orderBy((eb) => eb.case().when('id', '=', idOrName).then(0).else(1).end())
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
}

export function updateProjectRow(db: Db, id: string, patch: Partial<Pick<ProjectRow, 'name' | 'status' | 'archived_at'>>) {
  return db.updateTable('projects').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export function listProjectRows(db: Db, opts: { includeArchived: boolean }, window: SeqWindow): Promise<ProjectRow[]> {
  let q = db.selectFrom('projects').selectAll();
  if (!opts.includeArchived) q = q.where('archived_at', 'is', null);
  return applySeqWindow(q, 'seq', window).execute();
}

export async function findProjectSeq(db: Db, id: string): Promise<number | undefined> {
  const row = await db.selectFrom('projects').select('seq').where('id', '=', id).executeTakeFirst();
  return row?.seq;
}
