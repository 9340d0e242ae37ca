/**
 * The interval the SDK's pollers should wait between retrieves of a run still going (`openai-poll-after-ms`):
 * half the median time of this instance's recent runs (claimed to done or waiting on tool outputs), so a
 * client polling a typical run asks about twice, within [MIN_MS, MAX_MS]. Until a run was timed, MAX_MS,
 * the fixed hint it replaces: a model that answers in seconds keeps it, a fast one is polled sooner.
 */
export const MIN_POLL_MS = 20;
export const MAX_POLL_MS = 200;
const KEPT = 32;

export class PollHint {
  readonly #durations: number[] = [];
  #next = 0;
  #hint = MAX_POLL_MS;

  /** A run took `ms` from its claim until it stopped executing. */
  record(ms: number): void {
    this.#durations[this.#next] = ms;
    this.#next = (this.#next + 1) % KEPT;
    const sorted = [...this.#durations].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? MAX_POLL_MS * 2;
    this.#hint = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, Math.round(median / 2)));
  }

  get ms(): number {
    return this.#hint;
  }
}
