import { sql } from 'kysely';
import type { Db } from '../database.js';
import { migrations } from '../migrations/index.js';

/** What /metrics shows of the database: work waiting, counted in one statement over the status indexes. */
export interface Backlog {
  /** Runs (and background responses) waiting for a worker. */
  queuedRuns: number;
  /** Vector store files still being indexed. */
  filesInProgress: number;
}

export async function countBacklog(db: Db): Promise<Backlog> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('runs').select(eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').as('queued_runs'),
      eb
        .selectFrom('vector_store_files')
        .select(eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'in_progress')
        .as('files_in_progress'),
    ])
    .executeTakeFirstOrThrow();
  return { queuedRuns: Number(row.queued_runs ?? 0), filesInProgress: Number(row.files_in_progress ?? 0) };
}

/** Migrations this build knows that the database has not applied (kysely's own table, read only). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
  const applied = new Set(rows.map((r) => r.name));
  return Object.keys(migrations).filter((name) => !applied.has(name));
}
