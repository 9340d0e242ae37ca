import type { Db } from '../database.js';
import type { NewResponseEventRow, ResponseEventRow } from '../tables/response-events.table.js';

/** A background response's stored stream events (responses-replay.ts writes and reads them). */

/** The response's events after `after` (all with -1), in order. */
export function listResponseEvents(db: Db, responseId: string, after: number, limit = 500): Promise<ResponseEventRow[]> {
  return db
    .selectFrom('response_events')
    .selectAll()
    .where('response_id', '=', responseId)
    .where('sequence_number', '>', after)
    .orderBy('sequence_number', 'asc')
    .limit(limit)
    .execute();
}

/** Appends events; a number already taken fails the whole insert (the caller renumbers and tries again). */
export async function insertResponseEvents(db: Db, rows: NewResponseEventRow[]): Promise<void> {
  if (rows.length) await db.insertInto('response_events').values(rows).execute();
}

/** Drops the response's events from `from` on (the unfinished part a dead worker left). */
export async function deleteResponseEventsFrom(db: Db, responseId: string, from: number): Promise<void> {
  await db.deleteFrom('response_events').where('response_id', '=', responseId).where('sequence_number', '>=', from).execute();
}

/** All of a response's events go with it. */
export async function deleteResponseEvents(db: Db, responseId: string): Promise<void> {
  await db.deleteFrom('response_events').where('response_id', '=', responseId).execute();
}
