// The synthetic keyword load of bench/retrieval.bench.ts: a Zipf vocabulary, chunks drawn from it, and queries.
export const FUNCTION_WORDS = (
  'the of and to a in is that it for was on are as with be by this at from or have an which not but all were ' +
  'they can their has been more one if will there so when into than its other what would about some them these ' +
  'out only also may most after first two any where over such then between each'
).split(' ');

/**
 * Synthetic vocabulary with Zipf frequencies (p ∝ 1/rank): the English function words first (as in real text,
 * ~40 % of tokens), then 30,000 distinct pseudo-words (2–4 consonant–vowel syllables).
 */
export class Vocabulary {
  readonly words: string[];
  readonly #table: Uint32Array; // 2^20 slots of the inverse CDF: O(1) sampling
  constructor(rand: () => number, contentWords = 30_000) {
    const consonants = 'bdfgklmnprstvz';
    const vowels = 'aeiou';
    const seen = new Set(FUNCTION_WORDS);
    const words = [...FUNCTION_WORDS];
    while (words.length < FUNCTION_WORDS.length + contentWords) {
      const syllables = 2 + Math.floor(rand() * 3);
      let w = '';
      for (let i = 0; i < syllables; i++)
        w += consonants[Math.floor(rand() * consonants.length)]! + vowels[Math.floor(rand() * vowels.length)]!;
      if (!seen.has(w)) {
        seen.add(w);
        words.push(w);
      }
    }
    this.words = words;
    let h = 0;
    for (let r = 1; r <= words.length; r++) h += 1 / r;
    this.#table = new Uint32Array(1 << 20);
    let cum = 0;
    let rank = 0;
    for (let slot = 0; slot < this.#table.length; slot++) {
      const u = (slot + 0.5) / this.#table.length;
      while (rank < words.length - 1 && cum + 1 / (rank + 1) / h < u) cum += 1 / (++rank) / h;
      this.#table[slot] = rank;
    }
  }

  sample(rand: () => number): string {
    return this.words[this.#table[Math.floor(rand() * this.#table.length)]!]!;
  }

  /** A word of rank in [from, to) (0-based), uniformly. */
  inRanks(rand: () => number, from: number, to: number): string {
    return this.words[from + Math.floor(rand() * (to - from))]!;
  }

  /** A "sentence-shaped" chunk of about `n` words. */
  chunk(rand: () => number, n: number): string {
    const parts: string[] = [];
    let sentence = 0;
    const len = () => 8 + Math.floor(rand() * 18);
    let end = len();
    for (let i = 0; i < n; i++) {
      parts.push(this.sample(rand));
      if (++sentence === end || i === n - 1) {
        parts[parts.length - 1] += '.';
        sentence = 0;
        end = len();
      }
    }
    return parts.join(' ');
  }
}

/**
 * A synthetic query: "what is the" and four content words — one common (ranks 70–300, found in ~20–60 % of
 * chunks), two mid-frequency (300–3,000) and one rare (3,000–30,000) — so the keyword ranker has large
 * posting lists to score, as a question with an everyday word in it does.
 */
export function syntheticQuery(vocab: Vocabulary, rand: () => number): string {
  const f = FUNCTION_WORDS.length;
  const n = vocab.words.length;
  const w = [
    vocab.inRanks(rand, f, f + 230),
    vocab.inRanks(rand, f + 230, f + 3_000),
    vocab.inRanks(rand, f + 230, f + 3_000),
    vocab.inRanks(rand, f + 3_000, n),
  ];
  return `what is the ${w.join(' ')}`;
}
