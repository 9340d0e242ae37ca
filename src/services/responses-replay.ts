import type { Deps } from '../deps.js';
import { invalidRequest } from '../errors.js';
import { isTerminal } from '../engine/run-state.js';
import { fromJson } from '../store/json.js';
import { listResponseEvents } from '../store/repos/response-events.repo.js';
import { findRunById } from '../store/repos/runs.repo.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import type { RunStatus } from '../store/tables/runs.table.js';
import { sseEvent } from '../streaming/sse.js';
import { buildResponseObject, getResponseRow } from './responses-read.js';
import { onRecorded } from './responses-recorder.js';

/**
 * GET /v1/responses/{id}?stream=true&starting_after=N: a background response's stored events after N
 * (responses-recorder.ts stores them, on whichever instance runs the response), then the live tail until the
 * terminal event. The reader listens to the run's events (and to this process's recorder) first and then reads the store, so nothing written
 * meanwhile is missed: each event of the run (relayed across instances on PostgreSQL) is only a signal to read
 * the store again, and the store's numbers say what was already sent — nothing is sent twice. A slow poll covers
 * a signal that came before its event was stored. A response whose run ended with no terminal event stored (its
 * recorder died with its process) ends with the terminal event built from the stored response.
 */
export async function replayResponse(
  deps: Deps,
  ref: { tenantId: string; id: string; startingAfter?: number; signal: AbortSignal },
): Promise<AsyncGenerator<string>> {
  const row = await getResponseRow(deps.store.db, ref.tenantId, ref.id);
  if (row.background !== 1) throw invalidRequest('Only background responses can be streamed from storage; this response was not created with background=true.', 'stream');
  const bell = new Doorbell();
  const offRun = deps.events.subscribe(row.run_id, () => bell.ring());
  const offRecorded = onRecorded(row.id, () => bell.ring());
  const unsubscribe = () => {
    offRun();
    offRecorded();
  };
  ref.signal.addEventListener('abort', () => bell.ring(), { once: true });
  return follow({ deps, row, after: ref.startingAfter ?? -1, bell, signal: ref.signal, unsubscribe });
}

/** How long the reader waits for a signal before it reads the store anyway. */
const POLL_MS = 250;
/** Reads with nothing new after the run ended before the terminal event is built from the stored response. */
const ENDED_READS = 4;

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

async function* follow(opts: {
  deps: Deps;
  row: ResponseRow;
  after: number;
  bell: Doorbell;
  signal: AbortSignal;
  unsubscribe: () => void;
}): AsyncGenerator<string> {
  const { deps, row, bell, signal } = opts;
  let after = opts.after;
  let idleAfterEnd = 0;
  try {
    while (!signal.aborted) {
      const rows = await listResponseEvents(deps.store.db, row.id, after);
      for (const r of rows) {
        after = r.sequence_number;
        const type = fromJson<{ type?: string }>(r.event, {}).type ?? 'error';
        yield sseEvent(type, r.event);
        if (TERMINAL.has(type)) return;
      }
      if (rows.length) {
        idleAfterEnd = 0;
        continue;
      }
      const run = await findRunById(deps.store.db, row.run_id);
      if (!run) return;
      if (ended(run.status) && ++idleAfterEnd >= ENDED_READS) {
        yield await terminalFrame(deps, row, after + 1);
        return;
      }
      await bell.wait(POLL_MS);
    }
  } finally {
    opts.unsubscribe();
  }
}

const ended = (status: RunStatus): boolean => isTerminal(status) || status === 'requires_action';

async function terminalFrame(deps: Deps, row: ResponseRow, sequenceNumber: number): Promise<string> {
  const include = fromJson<{ include?: string[] | null }>(row.request, {}).include ?? [];
  const response = await buildResponseObject(deps.store.db, row, { tools: deps.tools, include });
  const type = response.status === 'completed' ? 'response.completed' : response.status === 'incomplete' ? 'response.incomplete' : 'response.failed';
  return sseEvent(type, JSON.stringify({ type, response, sequence_number: sequenceNumber }));
}

/** Wakes a waiting reader; a ring while nobody waits is kept for the next wait. */
class Doorbell {
  #rung = false;
  #wake: (() => void) | undefined;

  ring(): void {
    this.#rung = true;
    this.#wake?.();
  }

  async wait(ms: number): Promise<void> {
    if (!this.#rung) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#wake = undefined;
    this.#rung = false;
  }
}
