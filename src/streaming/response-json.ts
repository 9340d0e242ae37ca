import type { ResponseWireEvent } from './response-events.js';
import type { ResponseObject } from './response-object.js';

/** The fields of a response that change while it runs; the others echo its request, the same in every snapshot. */
const CHANGING = ['status', 'completed_at', 'error', 'incomplete_details', 'model', 'output', 'usage'] as const satisfies ReadonlyArray<keyof ResponseObject>;
type Changing = (typeof CHANGING)[number];
const isChanging = (key: string): key is Changing => (CHANGING as readonly string[]).includes(key);

/**
 * The JSON of one stream's events. A stream shows its response whole three times or more (created, in_progress, its
 * end), each with the same echo of its request: ~25 fields, the tools with their schemas, most of its bytes (a Codex
 * request's tools are kilobytes). That part is serialised once, from the first snapshot, and the changing fields
 * are spliced in between its pieces after; the text is what JSON.stringify writes, key order included. One per
 * stream: its snapshots are made by one function from one request (services/responses-stream.ts).
 */
export class ResponseEventJson {
  /** The echo's JSON around the changing fields: pieces[i], then the value of keys[i], …, then the last piece. */
  #pieces: string[] | undefined;
  #keys: Changing[] = [];
  /** The snapshot's keys in order, which the pieces follow. */
  #shape = '';

  stringify(event: ResponseWireEvent): string {
    if (!('response' in event)) return JSON.stringify(event);
    const response = this.#response(event.response);
    return `{"type":${JSON.stringify(event.type)},"response":${response},"sequence_number":${event.sequence_number}}`;
  }

  #response(response: ResponseObject): string {
    const pieces = this.#pieces;
    // Another shape of snapshot (none is made today): learnt anew.
    if (!pieces || Object.keys(response).join() !== this.#shape) return this.#learn(response);
    let out = pieces[0]!;
    for (let i = 0; i < this.#keys.length; i++) {
      const value = response[this.#keys[i]!];
      // Left out by JSON.stringify, which the pieces cannot do: written whole.
      if (value === undefined) return JSON.stringify(response);
      out += JSON.stringify(value) + pieces[i + 1]!;
    }
    return out;
  }

  /** Serialises the response and keeps its echo's pieces for the next snapshots. */
  #learn(response: ResponseObject): string {
    const pieces: string[] = [];
    const keys: Changing[] = [];
    let piece = '{';
    let first = true;
    for (const [key, value] of Object.entries(response)) {
      // JSON.stringify leaves undefined fields out: such a snapshot is not learnt from.
      if (value === undefined) return JSON.stringify(response);
      piece += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      if (isChanging(key)) {
        pieces.push(piece);
        keys.push(key);
        piece = '';
      } else piece += JSON.stringify(value);
    }
    pieces.push(`${piece}}`);
    this.#pieces = pieces;
    this.#keys = keys;
    this.#shape = Object.keys(response).join();
    return this.#response(response);
  }
}
