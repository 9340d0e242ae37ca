import type { Kysely } from 'kysely';

/**
 * The worker's expiry poll (runs.repo.ts findExpiredRuns: status in the waiting statuses and expires_at before now) ran
 * on runs_status_seq, reading every queued and requires_action run, each one's row, to compare its expires_at. On
 * (status, expires_at) it reads only the expired ones. Not a partial index: the statuses are bound parameters, which
 * SQLite cannot match against a partial index's WHERE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('runs_status_expires_at').on('runs').columns(['status', 'expires_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_status_expires_at').execute();
}
