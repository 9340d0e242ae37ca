/**
 * PostgreSQL's ts_rank(tsvector, tsquery, 1) for an OR query of plain lexemes, computed as the server does
 * (src/backend/utils/adt/tsrank.c, calc_rank_or + normalisation 1), in the same float4 steps, so an in-process
 * index ranks exactly as the SQL query does:
 *
 *   for each distinct query lexeme the chunk holds, in byte order:   res = (float)(res + term(tf))
 *   term(tf) = ((float)(w + Σ_{j<tf} w/(j+1)²) − w) / 1.64493406685     (w = 0.1, weight D of to_tsvector)
 *   res = (float)(res / distinct query lexemes);  res = (float)(res / (ln(positions + 1) / ln 2))
 *
 * tf is the lexeme's number of positions (a tsvector keeps at most 256), `positions` the sum over all lexemes
 * of the chunk (cnt_length). The result is the float4 as the server prints it (shortest decimal that reads
 * back to it, extra_float_digits 1), which is what node-postgres hands back for the SQL query.
 */

/** The weight of D, tsrank.c's default weights[0], as a float. */
const W = Math.fround(0.1);
/** A tsvector keeps at most this many positions of one lexeme (MAXNUMPOS). */
export const MAX_TF = 256;

/**
 * term(tf) for tf = 0 (absent) .. 256, as doubles (the C expression's type before it is added to res). Adding
 * one to a float4 sum held in a Float32Array (`sums[i] = sums[i] + TS_RANK_TERMS[tf]`) is calc_rank_or's step.
 */
export const TS_RANK_TERMS: Float64Array = (() => {
  const out = new Float64Array(MAX_TF + 1);
  let resj = 0;
  for (let tf = 1; tf <= MAX_TF; tf++) {
    resj = Math.fround(resj + Math.fround(W / (tf * tf)));
    out[tf] = Math.fround(Math.fround(W + resj) - W) / 1.64493406685;
  }
  return out;
})();

const LN2 = Math.log(2);

/** Normalisation 1's divisor for a chunk of `positions` positions: log2(positions + 1), as the server computes it. */
export function tsRankLengthDivisor(positions: number): number {
  return Math.log(positions + 1) / LN2;
}

/** The final float4 score from the summed terms, the number of distinct query lexemes and the chunk's length divisor. */
export function tsRankFinish(res: number, querySize: number, divisor: number): number {
  return Math.fround(Math.fround(res / querySize) / divisor);
}

/** A float4 as PostgreSQL prints it and JavaScript parses that text: the shortest decimal that reads back to it. */
export function float4Text(value: number): number {
  const f = Math.fround(value);
  if (f === 0 || !Number.isFinite(f)) return f;
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest;
  }
  return Number(f.toPrecision(9));
}

/** Lexemes in the order tsrank.c visits a query's items (byte order of their UTF-8), duplicates dropped. */
export function queryItemOrder(lexemes: readonly string[]): string[] {
  return [...new Set(lexemes)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}
