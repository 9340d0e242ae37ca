// An in-memory inverted index of one vector store's chunks, ranking exactly as PostgreSQL's ts_rank (ts-rank.ts).
import { TopK } from './top-k.js';
import { float4Text, MAX_TF, queryItemOrder, TS_RANK_TERMS, tsRankFinish, tsRankLengthDivisor } from './ts-rank.js';

/** One chunk as the index takes it: its lexemes with their number of positions, and their sum. */
export interface ChunkTerms {
  id: number;
  fileId: string;
  chunkIndex: number;
  lexemes: readonly string[];
  /** Positions of each lexeme (1..256), in the order of `lexemes`. */
  counts: readonly number[];
  /** All positions of the chunk (ts_rank's cnt_length). */
  positions: number;
}

/**
 * A lexeme's chunks: ascending ordinals as varint gaps, each shifted left once with the low bit set when a
 * byte `tf - 2` follows (most words occur once in a chunk): ~1.3 bytes a posting.
 */
class Postings {
  bytes = new Uint8Array(8);
  length = 0;
  last = -1;

  add(ordinal: number, tf: number): void {
    if (this.length + 7 > this.bytes.length) this.#grow();
    let v = (ordinal - this.last) * 2 + (tf > 1 ? 1 : 0);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
    if (tf > 1) this.bytes[this.length++] = Math.min(tf, MAX_TF) - 2;
    this.last = ordinal;
  }

  trim(): void {
    if (this.bytes.length > this.length) this.bytes = this.bytes.slice(0, this.length);
  }

  #grow(): void {
    const bigger = new Uint8Array(Math.max(16, this.bytes.length * 2));
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
}

/** A chunk found, with its ts_rank score as the SQL query would return it. */
export interface KeywordHit {
  id: number;
  fileId: string;
  chunkIndex: number;
  score: number;
}

export class KeywordIndex {
  readonly #lexicon = new Map<string, Postings>();
  #ids = new Float64Array(1024);
  #divisors = new Float64Array(1024);
  #alive = new Uint8Array(1024);
  #chunkIndexes = new Uint32Array(1024);
  #fileOf = new Uint32Array(1024);
  readonly #files: string[] = [];
  readonly #fileNumbers = new Map<string, number>();
  /** The posting lists' bytes (allocated, with their growth slack), kept as they change so `bytes` is O(1). */
  #postingBytes = 0;
  #size = 0;
  #live = 0;
  readonly #ordinalOf = new Map<number, number>();
  // Per search scratch, reused: a float4 sum per ordinal, valid where stamp === epoch.
  #sums = new Float32Array(0);
  #stamps = new Uint32Array(0);
  #touched = new Int32Array(0);
  #epoch = 0;

  /** Chunks indexed and not removed. */
  get size(): number {
    return this.#live;
  }

  has(id: number): boolean {
    const ordinal = this.#ordinalOf.get(id);
    return ordinal !== undefined && this.#alive[ordinal] === 1;
  }

  /** Ids indexed and not removed. */
  ids(): number[] {
    return [...this.#ordinalOf.keys()].filter((id) => this.has(id));
  }

  /** Bytes held by the postings and the per-chunk arrays (not the Map and object overheads); O(1). */
  get bytes(): number {
    const n = this.#ids.byteLength + this.#divisors.byteLength + this.#alive.byteLength;
    return n + this.#chunkIndexes.byteLength + this.#fileOf.byteLength + this.#postingBytes;
  }

  /** `bytes` counted the slow way, list by list (tests). */
  countBytes(): number {
    let n = this.#ids.byteLength + this.#divisors.byteLength + this.#alive.byteLength;
    n += this.#chunkIndexes.byteLength + this.#fileOf.byteLength;
    for (const p of this.#lexicon.values()) n += p.bytes.byteLength;
    return n;
  }

  get lexemes(): number {
    return this.#lexicon.size;
  }

  add(chunk: ChunkTerms): void {
    if (this.has(chunk.id)) return;
    const ordinal = this.#size++;
    if (ordinal === this.#ids.length) this.#growChunks();
    this.#ids[ordinal] = chunk.id;
    this.#divisors[ordinal] = tsRankLengthDivisor(chunk.positions);
    this.#alive[ordinal] = 1;
    this.#chunkIndexes[ordinal] = chunk.chunkIndex;
    this.#fileOf[ordinal] = this.#fileNumber(chunk.fileId);
    this.#ordinalOf.set(chunk.id, ordinal);
    this.#live++;
    chunk.lexemes.forEach((lexeme, i) => {
      let postings = this.#lexicon.get(lexeme);
      const before = postings?.bytes.byteLength ?? 0;
      if (!postings) this.#lexicon.set(lexeme, (postings = new Postings()));
      postings.add(ordinal, chunk.counts[i]!);
      this.#postingBytes += postings.bytes.byteLength - before;
    });
  }

  #fileNumber(fileId: string): number {
    let n = this.#fileNumbers.get(fileId);
    if (n === undefined) this.#fileNumbers.set(fileId, (n = this.#files.push(fileId) - 1));
    return n;
  }

  remove(id: number): void {
    const ordinal = this.#ordinalOf.get(id);
    if (ordinal === undefined || this.#alive[ordinal] === 0) return;
    this.#alive[ordinal] = 0;
    this.#live--;
  }

  /** Frees the growth slack of every posting list (after a bulk build). */
  trim(): void {
    this.#postingBytes = 0;
    for (const p of this.#lexicon.values()) {
      p.trim();
      this.#postingBytes += p.bytes.byteLength;
    }
  }

  /**
   * The `k` best chunks for an OR of `lexemes` by ts_rank(…, 1), best first, ties by lower id: the same ids and
   * scores as the SQL query over these chunks.
   */
  search(lexemes: readonly string[], k: number): KeywordHit[] {
    const items = queryItemOrder(lexemes);
    if (items.length === 0 || k <= 0) return [];
    const touched = this.#accumulate(items);
    const top = new TopK(k);
    const [sums, divisors, alive, ids] = [this.#sums, this.#divisors, this.#alive, this.#ids];
    for (let i = 0; i < touched.length; i++) {
      const ordinal = touched[i]!;
      if (alive[ordinal] === 0) continue;
      const score = tsRankFinish(sums[ordinal]!, items.length, divisors[ordinal]!);
      if (score >= top.floor) top.offer(ordinal, ids[ordinal]!, score);
    }
    return top.sorted().map(({ ordinal, id, score }) => ({
      id,
      fileId: this.#files[this.#fileOf[ordinal]!]!,
      chunkIndex: this.#chunkIndexes[ordinal]!,
      score: float4Text(score),
    }));
  }

  /** Sums each touched chunk's terms, lexeme by lexeme in query-item order (as calc_rank_or adds them). */
  #accumulate(items: readonly string[]): Int32Array {
    if (this.#sums.length < this.#size) {
      this.#sums = new Float32Array(this.#ids.length);
      this.#stamps = new Uint32Array(this.#ids.length);
      this.#touched = new Int32Array(this.#ids.length);
      this.#epoch = 0;
    }
    const epoch = ++this.#epoch;
    const sums = this.#sums;
    const stamps = this.#stamps;
    const touched = this.#touched;
    const terms = TS_RANK_TERMS;
    let n = 0;
    for (const lexeme of items) {
      const postings = this.#lexicon.get(lexeme);
      if (!postings) continue;
      const bytes = postings.bytes;
      const end = postings.length;
      let ordinal = -1;
      for (let at = 0; at < end; ) {
        let v = bytes[at++]!;
        if (v >= 0x80) {
          v &= 0x7f;
          let scale = 0x80;
          let b: number;
          do {
            b = bytes[at++]!;
            v += (b & 0x7f) * scale;
            scale *= 0x80;
          } while (b & 0x80);
        }
        ordinal += Math.floor(v / 2);
        const tf = v % 2 === 1 ? bytes[at++]! + 2 : 1;
        if (stamps[ordinal] !== epoch) {
          stamps[ordinal] = epoch;
          sums[ordinal] = 0;
          touched[n++] = ordinal;
        }
        sums[ordinal] = sums[ordinal]! + terms[tf]!; // a Float32Array store: the float4 rounding of calc_rank_or
      }
    }
    return touched.subarray(0, n);
  }

  #growChunks(): void {
    const n = this.#ids.length * 2;
    const ids = new Float64Array(n);
    ids.set(this.#ids);
    const divisors = new Float64Array(n);
    divisors.set(this.#divisors);
    const alive = new Uint8Array(n);
    alive.set(this.#alive);
    const chunkIndexes = new Uint32Array(n);
    chunkIndexes.set(this.#chunkIndexes);
    const fileOf = new Uint32Array(n);
    fileOf.set(this.#fileOf);
    this.#ids = ids;
    this.#divisors = divisors;
    this.#alive = alive;
    this.#chunkIndexes = chunkIndexes;
    this.#fileOf = fileOf;
  }
}
