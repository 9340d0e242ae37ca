// The best k of a stream of scored chunks, for keyword-index.ts.

/** A chunk offered to TopK: its ordinal in the index, id and score. */
export interface Candidate {
  ordinal: number;
  id: number;
  score: number;
}

/** The k best (score desc, id asc) of what is offered: a bounded min-heap whose root is the worst kept. */
export class TopK {
  readonly #k: number;
  readonly #heap: Candidate[] = [];

  constructor(k: number) {
    this.#k = k;
  }

  offer(ordinal: number, id: number, score: number): void {
    const heap = this.#heap;
    if (heap.length < this.#k) {
      heap.push({ ordinal, id, score });
      this.#up(heap.length - 1);
    } else if (worse(heap[0]!, { ordinal, id, score })) {
      heap[0] = { ordinal, id, score };
      this.#down(0);
    }
  }

  /** Scores below this cannot enter. */
  get floor(): number {
    return this.#heap.length < this.#k ? -Infinity : this.#heap[0]!.score;
  }

  sorted(): Candidate[] {
    return [...this.#heap].sort((a, b) => b.score - a.score || a.id - b.id);
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!worse(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      let worst = i;
      for (const child of [2 * i + 1, 2 * i + 2]) if (child < heap.length && worse(heap[child]!, heap[worst]!)) worst = child;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
      i = worst;
    }
  }
}

/** a ranks below b. */
function worse(a: Candidate, b: Candidate): boolean {
  return a.score < b.score || (a.score === b.score && a.id > b.id);
}
