import { endsStream, type RunEvent, type RunEventBus } from './run-events.js';

/**
 * A run's events as an async iterable: buffers what the bus delivers and yields it in order, up to
 * and including the event that ends the stream (terminal status or requires_action).
 */
export class RunEventQueue implements AsyncIterable<RunEvent> {
  readonly #bus: RunEventBus;
  readonly #queue: RunEvent[] = [];
  #wake: (() => void) | undefined;
  #unsubscribe: () => void = () => {};
  #closed = false;

  constructor(bus: RunEventBus) {
    this.#bus = bus;
  }

  /** Pass as `subscribe` to the services: called after their commit, before they publish. */
  readonly subscribe = (runId: string): void => {
    this.#unsubscribe = this.#bus.subscribe(runId, (event) => {
      this.#queue.push(event);
      this.#wake?.();
    });
  };

  /** Stops listening; a pending iteration ends. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.#wake?.();
  }

  /**
   * The events in batches: all the bus delivered since the last batch, up to and including the event that ends the
   * stream. A stream written a batch at a time makes one socket write of what a turn announced at once, not one each.
   */
  async *batches(): AsyncGenerator<RunEvent[]> {
    try {
      for (;;) {
        while (this.#queue.length === 0 && !this.#closed) await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        if (this.#queue.length === 0) return;
        const end = this.#queue.findIndex(endsStream);
        yield this.#queue.splice(0, end === -1 ? this.#queue.length : end + 1);
        if (end !== -1) return;
      }
    } finally {
      this.close();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RunEvent> {
    try {
      for (;;) {
        while (this.#queue.length === 0 && !this.#closed) await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        const event = this.#queue.shift();
        if (!event) return;
        yield event;
        if (endsStream(event)) return;
      }
    } finally {
      this.close();
    }
  }
}
