export interface FusedItem<K> {
  id: K;
  /** Σ 1 / (k + rank) over the lists that hold the item, rank counted from 1. */
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
