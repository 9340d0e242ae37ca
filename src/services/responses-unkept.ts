import type { UnkeptRun } from '../engine/run-loop.js';
import type { Db } from '../store/database.js';
import { deleteResponseEvents } from '../store/repos/response-events.repo.js';
import { deleteResponseRow } from '../store/repos/responses.repo.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { forgetsAtEnd, responseOfRun } from './responses-by-run.js';

/**
 * EngineDeps.unkept for the Responses API: a `store: false` response's run keeps nothing, so none of its commits waits
 * for the disk; a streamed one's rows go in its run's last transaction (rememberResponse's `forgetAtEnd`) — most have
 * none, being held in memory (responses-create.ts heldInMemory) —, a non-stream one's once its answer is read
 * (responses.service.ts). Runs of the Assistants API (they name an assistant) are kept.
 */
export function responseUnkept(db: Db): (run: RunRow) => Promise<UnkeptRun | undefined> {
  return async (run) => {
    const row = await unkeptResponseOf(db, run);
    if (!row) return undefined;
    return {
      atEnd: forgetsAtEnd(db, run.id),
      // A background one is polled until it lapses (responses-lapse.ts): cancelled and resumed as any run is.
      polled: row.background === 1,
      forget: async (trx) => {
        await forgetResponseRows(trx, row);
        noteForgotten(row.id);
      },
    };
  };
}

/** The `store: false` response whose run this is, if it is one: then nothing of the run is kept. */
export async function unkeptResponseOf(db: Db, run: Pick<RunRow, 'id' | 'assistant_id'>): Promise<ResponseRow | undefined> {
  if (run.assistant_id !== '') return undefined;
  const row = await responseOfRun(db, run.id);
  return row?.store === 0 ? row : undefined;
}

/** The response's row, its run, its own hidden thread (and all on it) and its stored events, in the caller's transaction. */
export async function forgetResponseRows(trx: Db, row: ResponseRow): Promise<void> {
  await deleteResponseRow(trx, row);
  // Only a background response's stream is recorded (responses-recorder.ts).
  if (row.background === 1) await deleteResponseEvents(trx, row.id);
}

/** Responses (by id) whose rows their run's end deleted, until their stream ends. */
const forgotten = new Set<string>();
/** A stream the client left before its run's end never asks: the oldest are dropped past this. */
const MAX_FORGOTTEN = 10_000;

function noteForgotten(responseId: string): void {
  if (forgotten.size >= MAX_FORGOTTEN) forgotten.delete(forgotten.values().next().value ?? '');
  forgotten.add(responseId);
}

/** Whether the response's run's end deleted its rows (then nothing is left to delete); asked once. */
export function takeForgotten(responseId: string): boolean {
  return forgotten.delete(responseId);
}
