// Rank fusion for hybrid search: the keyword and vector rankers' candidates into one list, best first.
export interface FusedItem<K> {
  id: K;
  /** reciprocalRankFusion: Σ 1 / (k + rank); fuseHybrid: the weighted, normalised score in [0, 1]. */
  score: number;
}

/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list is ordered best first; an item's score
 * is the sum of 1 / (k + rank) over the lists it appears in. Returns every item once, best first;
 * ties keep the order in which items were first met (list by list, rank by rank). An item repeated
 * within one list counts at its best rank only.
 */
export function reciprocalRankFusion<K>(lists: ReadonlyArray<ReadonlyArray<K>>, k = 60): FusedItem<K>[] {
  if (!(k >= 0)) throw new RangeError(`k must be a non-negative number (got ${k})`);
  const scores = new Map<K, number>();
  for (const list of lists) {
    const seen = new Set<K>();
    list.forEach((id, i) => {
      if (seen.has(id)) return;
      seen.add(id);
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
    });
  }
  // Array.prototype.sort is stable, so ties stay in insertion (first-met) order.
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/** The highest score reciprocalRankFusion can give: first in every one of `listCount` lists. */
export function maxFusedScore(listCount: number, k = 60): number {
  return listCount / (k + 1);
}

/** A candidate as one ranker scored it: keyword (-bm25 or ts_rank, ≥ 0) or vector (cosine similarity). */
export interface ScoredCandidate<K> {
  id: K;
  score: number;
}

/** OpenAI's `ranking_options.hybrid_search`: how much each half counts (any non-negative numbers, not both 0). */
export interface HybridWeights {
  embedding_weight: number;
  text_weight: number;
}

/**
 * The default split, chosen on the tuning two thirds of bench/retrieval-questions.ts only (the held-back third
 * was not looked at): in bench/retrieval-tune.ts's grid the best settings lay within 0.01 MRR of each other
 * (embedding share 0.825–0.875, keyword exponent 2–4, both stores); 0.85 with exponent 2 is the round one among them.
 */
export const DEFAULT_HYBRID_WEIGHTS: Readonly<HybridWeights> = Object.freeze({ embedding_weight: 0.85, text_weight: 0.15 });

/** A keyword score counts as (score / best keyword score) to this power: a weak match falls off fast. */
export const KEYWORD_EXPONENT = 2;

/** The two weights as shares of 1; a RangeError for negative, non-finite or all-zero weights. */
export function weightShares(weights: HybridWeights): { embedding: number; text: number } {
  const { embedding_weight: e, text_weight: t } = weights;
  if (!(Number.isFinite(e) && Number.isFinite(t) && e >= 0 && t >= 0 && e + t > 0))
    throw new RangeError(`hybrid weights must be finite, non-negative and not both 0 (got ${e}, ${t})`);
  return { embedding: e / (e + t), text: t / (e + t) };
}

export interface HybridFusionInput<K> {
  /** The keyword ranker's candidates, best first; undefined when it did not run. */
  keyword?: ReadonlyArray<ScoredCandidate<K>>;
  /** The vector ranker's candidates, best first; undefined when it did not run. */
  vector?: ReadonlyArray<ScoredCandidate<K>>;
  weights?: HybridWeights;
  /** KEYWORD_EXPONENT unless given (bench/retrieval-tune.ts tries others). */
  keywordExponent?: number;
}

/**
 * Convex combination of normalised scores (Bruch et al., "An analysis of fusion functions for hybrid
 * retrieval", 2023), so that a score means the same whatever else was found:
 *   score = e · v + t · (k / k_best)²   with e + t = 1 (the weights' shares, over the rankers that ran),
 * v the cosine similarity clamped to [0, 1] (absolute: a threshold on it means something) and k the keyword
 * score over the best keyword score of the query. Squaring makes the keyword half count mostly for the few
 * chunks that match about as well as the best one (the name, code or number the query asked for) and little
 * for the many that share a word or two. A chunk the vector ranker did not return gets the lowest similarity
 * it did return (an upper bound of its own); one the keyword ranker did not return has k = 0. Every item
 * once, best first, in [0, 1]; ties keep first-met order (vector candidates first).
 */
export function fuseHybrid<K>(input: HybridFusionInput<K>): FusedItem<K>[] {
  const { keyword, vector } = input;
  if (!keyword && !vector) return [];
  const shares = weightShares(input.weights ?? DEFAULT_HYBRID_WEIGHTS);
  const e = !keyword ? 1 : !vector ? 0 : shares.embedding;
  const t = 1 - e;
  const similarity = bestScores(vector ?? [], (s) => Math.min(Math.max(s, 0), 1));
  const floor = similarity.size > 0 ? Math.min(...similarity.values()) : 0;
  const power = input.keywordExponent ?? KEYWORD_EXPONENT;
  const kBest = Math.max(0, ...(keyword ?? []).map((c) => c.score));
  const relevance = bestScores(keyword ?? [], (s) => (kBest > 0 && s > 0 ? Math.min(s / kBest, 1) ** power : 0));
  const ids = new Set([...similarity.keys(), ...relevance.keys()]);
  const fused = [...ids].map((id) => ({
    id,
    score: Math.min(e * (similarity.get(id) ?? floor) + t * (relevance.get(id) ?? 0), 1),
  }));
  return fused.sort((a, b) => b.score - a.score);
}

/** id → normalised score, at each id's first (best) place in the list. */
function bestScores<K>(list: ReadonlyArray<ScoredCandidate<K>>, normalise: (score: number) => number): Map<K, number> {
  const out = new Map<K, number>();
  for (const { id, score } of list) if (!out.has(id)) out.set(id, normalise(score));
  return out;
}
