import type { ServerResponse } from 'node:http';

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

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** True once the client is gone or the stream was ended. */
  get closed(): boolean {
    return this.#res.destroyed || this.#res.writableEnded;
  }

  async write(frame: string): Promise<void> {
    if (this.closed) return;
    if (!this.#res.write(frame)) await drained(this.#res);
  }

  writeData(data: string): Promise<void> {
    return this.write(sseData(data));
  }

  writeEvent(event: string, data: string): Promise<void> {
    return this.write(sseEvent(event, data));
  }

  end(): void {
    if (!this.closed) this.#res.end();
  }
}
