type Key = string | number;

/** Distinct label sets one metric keeps; past this, new ones count under the value `_other`. */
export const MAX_LABEL_SETS = 2000;

/**
 * A metric's children by label values, looked up through nested Maps: no string is built and nothing
 * is allocated per observation once a label set was seen (prom-client's `labels()` hashes an object
 * every call). Label values are the keys as given; numbers (status codes) are turned to text once.
 */
export class LabelChildren<C> {
  readonly #root = new Map<Key, Map<Key, Map<Key, C>>>();
  readonly #make: (a: string, b: string, c: string) => C;
  #size = 0;
  #overflow: C | undefined;

  constructor(make: (a: string, b: string, c: string) => C) {
    this.#make = make;
  }

  /** The child for (a, b, c); a metric with fewer labels passes '' for the rest. */
  get(a: Key, b: Key = '', c: Key = ''): C {
    const byB = this.#root.get(a);
    const byC = byB?.get(b);
    const child = byC?.get(c);
    return child === undefined ? this.#add(a, b, c) : child;
  }

  #add(a: Key, b: Key, c: Key): C {
    if (this.#size >= MAX_LABEL_SETS) return (this.#overflow ??= this.#make('_other', '_other', '_other'));
    let byB = this.#root.get(a);
    if (!byB) this.#root.set(a, (byB = new Map()));
    let byC = byB.get(b);
    if (!byC) byB.set(b, (byC = new Map()));
    const child = this.#make(String(a), String(b), String(c));
    byC.set(c, child);
    this.#size++;
    return child;
  }
}
