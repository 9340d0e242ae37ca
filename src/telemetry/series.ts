/**
 * Counters and histograms kept as plain numbers, written out in Prometheus' text format at scrape time.
 * prom-client's own children build a label object and hash it on every observe() (about 2 µs here);
 * these observe with no allocation: a histogram series is a Float64Array of bucket counts.
 */

const escapeValue = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatLabels(names: readonly string[], values: readonly string[]): string {
  return names.map((n, i) => `${n}="${escapeValue(values[i] ?? '')}"`).join(',');
}

const braces = (labels: string): string => (labels ? `{${labels}}` : '');

export class HistogramSeries {
  /** Per-bucket counts (not cumulative); the +Inf bucket is `count`. */
  readonly #counts: Float64Array;
  readonly #bounds: readonly number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: string,
    bounds: readonly number[],
  ) {
    this.#bounds = bounds;
    this.#counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++)
      if (value <= bounds[i]!) {
        this.#counts[i]! += 1;
        break;
      }
    this.sum += value;
    this.count += 1;
  }

  lines(name: string): string[] {
    const sep = this.labels ? ',' : '';
    const out: string[] = [];
    let acc = 0;
    for (let i = 0; i < this.#bounds.length; i++) {
      acc += this.#counts[i]!;
      out.push(`${name}_bucket{${this.labels}${sep}le="${this.#bounds[i]}"} ${acc}`);
    }
    out.push(`${name}_bucket{${this.labels}${sep}le="+Inf"} ${this.count}`);
    out.push(`${name}_sum${braces(this.labels)} ${this.sum}`, `${name}_count${braces(this.labels)} ${this.count}`);
    return out;
  }
}

export class CounterSeries {
  value = 0;

  constructor(readonly labels: string) {}

  inc(by = 1): void {
    if (Number.isFinite(by) && by > 0) this.value += by;
  }
}

export abstract class Family<S extends { labels: string }> {
  readonly #series: S[] = [];

  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];

  constructor(opts: { name: string; help: string; labelNames: readonly string[] }) {
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames;
  }

  /** A new series for these label values (callers keep it: LabelChildren looks it up). */
  series(...values: string[]): S {
    const s = this.create(formatLabels(this.labelNames, values));
    this.#series.push(s);
    return s;
  }

  protected abstract create(labels: string): S;
  protected abstract get type(): string;
  protected abstract lines(s: S): string[];

  render(): string {
    const head = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    return [...head, ...this.#series.flatMap((s) => this.lines(s))].join('\n');
  }
}

export class Histogram extends Family<HistogramSeries> {
  readonly #buckets: readonly number[];

  constructor(opts: { name: string; help: string; labelNames: readonly string[]; buckets: readonly number[] }) {
    super(opts);
    this.#buckets = opts.buckets;
  }

  protected create(labels: string): HistogramSeries {
    return new HistogramSeries(labels, this.#buckets);
  }

  protected get type(): string {
    return 'histogram';
  }

  protected lines(s: HistogramSeries): string[] {
    return s.lines(this.name);
  }
}

export class Counter extends Family<CounterSeries> {
  protected create(labels: string): CounterSeries {
    return new CounterSeries(labels);
  }

  protected get type(): string {
    return 'counter';
  }

  protected lines(s: CounterSeries): string[] {
    return [`${this.name}${braces(s.labels)} ${s.value}`];
  }
}
