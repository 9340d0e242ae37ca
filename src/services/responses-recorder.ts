import type { Logger } from 'pino';
import { endsStream, type RunEvent, type RunEventBus } from '../engine/run-events.js';
import type { Db } from '../store/database.js';
import { fromJson } from '../store/json.js';
import { deleteResponseEventsFrom, insertResponseEvents, listResponseEvents } from '../store/repos/response-events.repo.js';
import type { ResponseRow } from '../store/tables/responses.table.js';
import { ResponseStreamEncoder, type ResponseWireEvent } from '../streaming/response-stream.js';
import type { ToolRegistry } from '../tools/tool.js';
import { forgetResponseOfRun, responseOfRun } from './responses-by-run.js';
import { buildResponseObject, responseSnapshot } from './responses-read.js';

/**
 * Background responses' streams made durable (issue 12 items 2 and 3). The bus is tapped where events are
 * published — the instance that executes the run (and, for `run.created`/`cancelling`, the one that created or
 * cancelled it) — and each background response's events are encoded there and appended to `response_events`, so
 * that any instance, now or after a restart, replays them (responses-replay.ts). The engine knows nothing of it.
 *
 * Numbering is the store's: each recorder continues after the highest stored `sequence_number` (the primary key
 * refuses a number twice; on a clash the recorder reloads and renumbers). What a recorder of another instance (or
 * of an earlier process) already stored is not sent again: `response.created`/`queued`/`in_progress` once, nothing
 * after the terminal event. A run resumed after `kill -9` runs its interrupted turn again (run-driver.ts removes the
 * half-written message): the events of the items that dead worker left unfinished are dropped from the store when
 * the new worker starts its first item, and the new items take their places — one message. Their numbers are not
 * given again (the stored stream has a gap there): a reader that saw them goes on with what follows.
 */
export interface RecorderDeps {
  db: Db;
  tools: ToolRegistry;
  log: Logger;
}

/** In this process: who waits for a response's next stored events (a reader of its stream). */
const listeners = new Map<string, Set<() => void>>();

/** Calls `listener` each time events of the response are stored by this process. */
export function onRecorded(responseId: string, listener: () => void): () => void {
  let set = listeners.get(responseId);
  if (!set) listeners.set(responseId, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && listeners.get(responseId) === set) listeners.delete(responseId);
  };
}

/** The bus, with background responses' events recorded as they are published. */
export function recordResponseEvents(bus: RunEventBus, deps: RecorderDeps): RunEventBus {
  const runs = new Map<string, RunRecording>();
  return {
    subscribe: bus.subscribe,
    hasSubscribers: bus.hasSubscribers,
    keepLocal: bus.keepLocal,
    publish(runId, event) {
      bus.publish(runId, event);
      let recording = runs.get(runId);
      if (!recording) {
        // Runs that end elsewhere (another instance executes them) are forgotten oldest first.
        if (runs.size >= MAX_RUNS) runs.delete(runs.keys().next().value ?? '');
        runs.set(runId, (recording = new RunRecording(runId, deps)));
      }
      // A run whose events are not recorded (an Assistants run, a response not in the background) costs no more.
      if (!recording.ignored) recording.push(event);
      if (endsStream(event)) {
        runs.delete(runId);
        forgetResponseOfRun(deps.db, runId);
      }
    },
  };
}

const MAX_RUNS = 10_000;
const LIFECYCLE_ONCE = new Set(['response.created', 'response.queued', 'response.in_progress']);
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const ITEM_START = new Set<RunEvent['type']>(['reasoning.text', 'message.started', 'tool.call.started']);

/** One run's events, recorded in order (whether the run is a background response is looked up once). */
class RunRecording {
  readonly #runId: string;
  readonly #deps: RecorderDeps;
  readonly #queue: RunEvent[] = [];
  #draining = false;
  #recorder: Promise<Recorder | undefined> | undefined;
  /** Known not to be recorded: its events are dropped where they are published. */
  ignored = false;

  constructor(runId: string, deps: RecorderDeps) {
    this.#runId = runId;
    this.#deps = deps;
  }

  push(event: RunEvent): void {
    this.#queue.push(event);
    if (this.#draining) return;
    this.#draining = true;
    void this.#drain();
  }

  /** Until the queue is empty; the flag drops in the same tick as the last check, so no event is left behind. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.length) {
        const events = this.#queue.splice(0);
        // An Assistants run (it names an assistant) is no response's: nothing to look up. The thread a create thread
        // and run made is announced before its run (and a response's stream shows no thread.created): wait for the run.
        if (events.some((e) => 'run' in e && e.run.assistant_id !== '')) this.#recorder ??= Promise.resolve(undefined);
        if (!this.#recorder && events.every((e) => e.type === 'thread.created')) continue;
        try {
          const recorder = await this.#lookup();
          if (!recorder) {
            this.ignored = true;
            this.#queue.length = 0;
            return;
          }
          await recorder.record(events);
        } catch (err) {
          // The batch is lost (a reader ends with the stored response); the recorder keeps its place.
          this.#deps.log.error({ err, runId: this.#runId }, 'could not record a response event');
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Whether the run is a background response's, asked once (again only if asking failed). */
  #lookup(): Promise<Recorder | undefined> {
    this.#recorder ??= responseOfRun(this.#deps.db, this.#runId).then(
      (row) => (row?.background === 1 ? new Recorder(row, this.#deps) : undefined),
      (err: unknown) => {
        this.#recorder = undefined;
        throw err;
      },
    );
    return this.#recorder;
  }
}

/** What the store holds of the response's stream. */
interface Stored {
  next: number;
  types: Set<string>;
  /** Output items added and not done: `output_index` → the `sequence_number` that added it. */
  open: Map<number, number>;
  /** Output items done. */
  done: number;
}

class Recorder {
  readonly #row: ResponseRow;
  readonly #deps: RecorderDeps;
  readonly #encoder: ResponseStreamEncoder;
  #stored: Stored | undefined;
  /** This worker's items follow the ones an earlier worker finished. */
  #outputOffset = 0;
  #started = false;
  /** The first number this recorder may give (past the numbers of dropped events). */
  #floor = 0;

  constructor(row: ResponseRow, deps: RecorderDeps) {
    this.#row = row;
    this.#deps = deps;
    this.#encoder = new ResponseStreamEncoder({
      snapshot: (run, output) => responseSnapshot(row, run, output),
      tools: deps.tools,
      include: requestInclude(row),
      background: true,
    });
  }

  async record(events: RunEvent[]): Promise<void> {
    let stored = (this.#stored ??= await loadStored(this.#deps.db, this.#row.id));
    const out: ResponseWireEvent[] = [];
    for (const event of events) {
      if (!this.#started && ITEM_START.has(event.type)) stored = await this.#dropUnfinished(stored);
      out.push(...this.#encoder.encode(event));
    }
    await this.#append(out);
  }

  /** The first item of this worker: what an earlier worker of the run left unfinished goes. */
  async #dropUnfinished(stored: Stored): Promise<Stored> {
    this.#started = true;
    if (stored.open.size > 0) {
      const from = Math.min(...stored.open.values());
      // Numbers are never given twice: a reader that saw the dropped events goes on after them.
      this.#floor = stored.next;
      await deleteResponseEventsFrom(this.#deps.db, this.#row.id, from);
      this.#deps.log.warn({ responseId: this.#row.id, from }, 'dropping the stream events of an interrupted turn');
      stored = this.#stored = await loadStored(this.#deps.db, this.#row.id);
    }
    this.#outputOffset = stored.done;
    return stored;
  }

  async #append(events: ResponseWireEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const stored = (this.#stored ??= await loadStored(this.#deps.db, this.#row.id));
      const rows = await this.#rows(events, stored);
      try {
        await insertResponseEvents(this.#deps.db, rows);
        for (const r of rows) noteStored(stored, JSON.parse(r.event) as ResponseWireEvent);
        if (rows.length) for (const listener of listeners.get(this.#row.id) ?? []) listener();
        return;
      } catch (err) {
        // Another instance took these numbers: reload what is stored and number again.
        this.#stored = undefined;
        if (attempt >= 3) throw err;
      }
    }
  }

  async #rows(events: ResponseWireEvent[], stored: Stored) {
    const rows = [];
    let next = Math.max(stored.next, this.#floor);
    const types = new Set(stored.types);
    for (const e of events) {
      if ([...TERMINAL].some((t) => types.has(t))) break;
      if (LIFECYCLE_ONCE.has(e.type) && types.has(e.type)) continue;
      types.add(e.type);
      const event = await this.#placed({ ...e, sequence_number: next });
      rows.push({ response_id: this.#row.id, sequence_number: next++, event: JSON.stringify(event) });
    }
    return rows;
  }

  /** Items after an earlier worker's; the terminal event carries the response as stored (every item, whoever wrote it). */
  async #placed(e: ResponseWireEvent): Promise<ResponseWireEvent> {
    if (e.type === 'response.completed' || e.type === 'response.incomplete' || e.type === 'response.failed') {
      const response = await buildResponseObject(this.#deps.db, this.#row, { tools: this.#deps.tools, include: requestInclude(this.#row) });
      return { ...e, response: { ...response, status: e.response.status } };
    }
    if ('output_index' in e && this.#outputOffset) return { ...e, output_index: e.output_index + this.#outputOffset };
    return e;
  }
}

const requestInclude = (row: ResponseRow): string[] => fromJson<{ include?: string[] | null }>(row.request, {}).include ?? [];

async function loadStored(db: Db, responseId: string): Promise<Stored> {
  const stored: Stored = { next: 0, types: new Set(), open: new Map(), done: 0 };
  for (const row of await listResponseEvents(db, responseId, -1, 100_000)) noteStored(stored, JSON.parse(row.event) as ResponseWireEvent);
  return stored;
}

function noteStored(stored: Stored, e: ResponseWireEvent): void {
  stored.next = Math.max(stored.next, e.sequence_number + 1);
  stored.types.add(e.type);
  if (e.type === 'response.output_item.added') stored.open.set(e.output_index, e.sequence_number);
  if (e.type === 'response.output_item.done') {
    stored.open.delete(e.output_index);
    stored.done++;
  }
}
