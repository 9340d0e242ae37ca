import type { ServerResponse } from 'node:http';
import { toErrorBody } from '../errors.js';

/** Resolves on 'drain', or on 'close' so a vanished client never leaves a writer waiting. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** One `data:` field per line, so a payload with newlines stays one valid event. */
export const sseData = (data: string): string =>
  data.includes('\n') ? `data: ${data.replace(/\r?\n/g, '\ndata: ')}\n\n` : `data: ${data}\n\n`;
export const sseEvent = (event: string, data: string): string => `event: ${event}\n${sseData(data)}`;
/** A named event whose data is JSON text (JSON.stringify never writes a raw newline: one `data:` line, unscanned). */
export const sseJsonEvent = (event: string, json: string): string => `event: ${event}\ndata: ${json}\n\n`;
/** A JSON value as one data frame (JSON.stringify never writes a raw newline). */
export const sseJson = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

/** The payload that ends a stream in both APIs; a decoder compares with it, only this module frames it. */
export const DONE_PAYLOAD = '[DONE]';
/** The last frame of a chat.completion.chunk stream. */
export const SSE_DONE = 'data: [DONE]\n\n';
/** The last frame of an Assistants stream. */
export const SSE_DONE_EVENT = 'event: done\ndata: [DONE]\n\n';

/**
 * A mid-stream failure of a chat stream, as OpenAI sends one: the error body as a data frame (no
 * `event:` line); the SDK raises it as an APIError.
 */
export const sseError = (e: { message: string; type: string; param?: string | null; code?: string | null }): string =>
  sseJson(toErrorBody(e));

/**
 * No `connection` header: Node sends keep-alive or close as the client asked. Setting `keep-alive` here forced
 * the socket open after the stream even for a client that had sent `Connection: close`.
 */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/**
 * The one SSE writer both APIs use. Writes pass straight to the socket; when the socket's buffer is
 * full the writer waits for 'drain' (back-pressure) instead of queueing in memory.
 */
export class SseWriter {
  readonly #res: ServerResponse;
  #corked = false;
  /** Something went to the socket: the head left with it. */
  #started = false;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** True once the client is gone or the stream was ended. */
  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  /**
   * Frames written in one tick leave in one socket write: the socket is corked at the first and uncorked once the
   * tick's work is done (an engine commit announces several events at once; each used to cost a syscall).
   */
  async write(frame: string): Promise<void> {
    if (this.closed) return;
    this.#started = true;
    if (!this.#corked) {
      this.#corked = true;
      this.#res.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#res.uncork();
      });
    }
    if (!this.#res.write(frame)) await drained(this.#res);
  }

  writeData(data: string): Promise<void> {
    return this.write(sseData(data));
  }

  writeEvent(event: string, data: string): Promise<void> {
    return this.write(sseEvent(event, data));
  }

  /**
   * Sends the head now unless frames already took it along: a stream whose first frame comes at once leaves in
   * one socket write (head, frames and end), one that waits for its model still shows its 200 right away.
   */
  flushHeadersIfIdle(): void {
    if (this.#started || this.closed) return;
    this.#started = true;
    this.#res.flushHeaders();
  }

  end(): void {
    if (!this.closed) this.#res.end();
  }
}
