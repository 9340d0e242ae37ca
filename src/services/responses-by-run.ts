import type { Db } from '../store/database.js';
import { findResponseByRun } from '../store/repos/responses.repo.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import { fromJson } from '../store/json.js';
import type { ResponseRequest } from '../streaming/response-object.js';

/**
 * The response rows this process created, by their run's id, until the run ends: the hooks the engine calls for a
 * run (the recorder of background streams, the model call options) read them here rather than query the store for
 * every run, and fall back to the store for runs created elsewhere (another instance, an earlier process). Kept per
 * store handle, so two instances in one process (tests) keep theirs apart. The fields read (`background`,
 * `request`) never change after the create.
 */
const byStore = new WeakMap<Db, Map<string, Remembered>>();
/** Runs that end on another instance are never forgotten here: the oldest are dropped past this. */
const MAX_KEPT = 10_000;

/** A response this process created. `forgetAtEnd`: its rows go in its run's last transaction (EngineDeps.unkept). */
interface Remembered {
  row: ResponseRow;
  forgetAtEnd: boolean;
}

function rowsOf(db: Db): Map<string, Remembered> {
  let rows = byStore.get(db);
  if (!rows) byStore.set(db, (rows = new Map()));
  return rows;
}

/**
 * After the create's commit, before its run is handed to the engine. `forgetAtEnd`: the response is `store: false`
 * and its caller needs nothing of its rows after the run's end (a stream: its last event carries the response).
 */
export function rememberResponse(db: Db, row: ResponseRow, opts: { forgetAtEnd?: boolean } = {}): void {
  const rows = rowsOf(db);
  if (rows.size >= MAX_KEPT) rows.delete(rows.keys().next().value ?? '');
  rows.set(row.run_id, { row, forgetAtEnd: opts.forgetAtEnd === true && row.store === 0 });
}

/** Whether the run's rows go in its last transaction (rememberResponse's `forgetAtEnd`). */
export const forgetsAtEnd = (db: Db, runId: string): boolean => byStore.get(db)?.get(runId)?.forgetAtEnd === true;

/** The run ended (terminal status). */
export function forgetResponseOfRun(db: Db, runId: string): void {
  byStore.get(db)?.delete(runId);
}

/** Parsed requests by row: a request (Codex's carry ~20 kB of instructions and tools) is parsed once per response. */
const requests = new WeakMap<ResponseRow, ResponseRequest>();

/** The response's request as stored (its echo: every option but `input` and `stream`), parsed once per row object. */
export function requestOf(row: ResponseRow): ResponseRequest {
  let request = requests.get(row);
  if (!request) requests.set(row, (request = fromJson<ResponseRequest>(row.request, {})));
  return request;
}

/** The response whose work is the run, if any: from memory when this process created it, else from the store. */
export async function responseOfRun(db: Db, runId: string): Promise<ResponseRow | undefined> {
  return byStore.get(db)?.get(runId)?.row ?? findResponseByRun(db, runId);
}
