import { refOf, type EventRef } from './event-refs.js';
import type { RunEvent } from './run-events.js';

/**
 * How run events travel in PostgreSQL NOTIFY payloads (pg-run-events.ts), as pure functions. A payload
 * must stay under 8000 bytes, so the events one instance publishes while its previous NOTIFY is in
 * flight are packed into as few payloads as fit, all sent in one statement (one commit). An event too
 * large for a payload goes by reference when it announces a committed row (event-refs.ts), and
 * otherwise in pieces (a long text delta, the details of a tool's progress) that the receiver joins.
 */

/** One run's event in a payload: whole (`e`), by reference (`f`), or piece `i` of `c` of event `x` (`p`). */
export interface Notice {
  r: string;
  e?: RunEvent;
  f?: EventRef;
  x?: number;
  i?: number;
  c?: number;
  p?: string;
}

/** One payload: the publishing instance, a number that keeps equal payloads apart (PostgreSQL folds equal
 * payloads of one transaction into one), and its notices in publishing order. */
export interface NoticeBatch {
  o: string;
  s: number;
  n: Notice[];
}

/** Bytes of one payload, with room below PostgreSQL's 8000. */
export const MAX_PAYLOAD_BYTES = 7000;
/** Characters of JSON per piece: each takes at most 3 bytes once escaped again (control characters are
 * already escaped in the event's JSON), so a piece stays under 6,100 bytes. */
const PIECE_CHARS = 2000;
/** What a payload's envelope `{"o":…,"s":…,"n":[…]}` may take besides its notices. */
const ENVELOPE_BYTES = 100;
const NOTICE_BYTES = MAX_PAYLOAD_BYTES - ENVELOPE_BYTES;

/** The notices that carry `event` (each a JSON string that fits a payload); `pieceId` names its pieces. */
export function encodeNotices(runId: string, event: RunEvent, pieceId: number): string[] {
  const whole = JSON.stringify({ r: runId, e: event } satisfies Notice);
  if (Buffer.byteLength(whole) <= NOTICE_BYTES) return [whole];
  const f = refOf(event);
  if (f) return [JSON.stringify({ r: runId, f } satisfies Notice)];
  const json = JSON.stringify(event);
  const pieces = splitChars(json, PIECE_CHARS);
  return pieces.map((p, i) => JSON.stringify({ r: runId, x: pieceId, i, c: pieces.length, p } satisfies Notice));
}

/** `text` in pieces of at most `size` characters, never between the two halves of a surrogate pair. */
export function splitChars(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Notices (JSON strings from encodeNotices) packed in order into as few payloads as fit. */
export function packPayloads(origin: string, notices: string[], nextSeq: () => number): string[] {
  const payloads: string[] = [];
  let batch: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    payloads.push(`{"o":${JSON.stringify(origin)},"s":${nextSeq()},"n":[${batch.join(',')}]}`);
    batch = [];
    bytes = 0;
  };
  for (const notice of notices) {
    const size = Buffer.byteLength(notice) + 1;
    if (bytes + size > NOTICE_BYTES) flush();
    batch.push(notice);
    bytes += size;
  }
  flush();
  return payloads;
}

/** An event heard from another instance: whole, or a reference to read back. */
export type Heard = { runId: string; event: RunEvent } | { runId: string; ref: EventRef };

/**
 * Joins the pieces of events on the receiving side. Pieces of one event are sent in one statement on one
 * connection, so they arrive together and in order; a piece whose first piece was not heard is dropped.
 */
export class NoticeAssembler {
  readonly #partial = new Map<string, string[]>();

  /** What `notice` from instance `origin` completes, if anything. */
  accept(origin: string, notice: Notice): Heard | undefined {
    if (notice.e) return { runId: notice.r, event: notice.e };
    if (notice.f) return { runId: notice.r, ref: notice.f };
    if (notice.p === undefined || notice.x === undefined || notice.i === undefined || notice.c === undefined) return undefined;
    const key = `${origin}:${notice.x}`;
    const pieces = notice.i === 0 ? [] : this.#partial.get(key);
    if (!pieces || pieces.length !== notice.i) {
      this.#partial.delete(key);
      return undefined;
    }
    pieces.push(notice.p);
    if (pieces.length < notice.c) {
      this.#partial.set(key, pieces);
      return undefined;
    }
    this.#partial.delete(key);
    return { runId: notice.r, event: JSON.parse(pieces.join('')) as RunEvent };
  }
}
