/**
 * How the hybrid fusion's defaults (src/retrieval/fuse.ts: DEFAULT_HYBRID_WEIGHTS, KEYWORD_EXPONENT) were chosen:
 * a grid of embedding shares and keyword exponents scored by MRR on the TUNING part of the labelled set only
 * (bench/retrieval-questions.ts: the held-back third is never read here), on SQLite and PostgreSQL candidates.
 *
 *   node --import tsx bench/retrieval-tune.ts        # BENCH_DIALECTS=sqlite for one store
 *
 * Prints one line per setting: mean MRR and recall@1 over the stores, and how many tuning questions rank their
 * document below where vector search alone puts it. Nothing is written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLocalEncoder } from '../src/embeddings/local-encoder.js';
import { fuseHybrid } from '../src/retrieval/fuse.js';
import { migrateToLatest, openDb } from '../src/store/open-db.js';
import { candidateLists, embedLabelled, indexLabelled, type QuestionLists } from './retrieval-lists.js';
import { QUESTIONS, splitOf } from './retrieval-questions.js';
import { createDatabase, startThrowawayCluster, stopThrowawayCluster, type ThrowawayCluster } from './support/pg-cluster.js';

const SHARES = [0.5, 0.6, 0.7, 0.75, 0.8, 0.825, 0.85, 0.875, 0.9, 1];
const EXPONENTS = [1, 1.5, 2, 3, 4];
const tuning = QUESTIONS.flatMap((q, i) => (splitOf(QUESTIONS, i) === 'tuning' ? [i] : []));

function rank(order: readonly string[], i: number): number {
  return [...new Set(order)].indexOf(`doc-${QUESTIONS[i]!.answer}`) + 1;
}

function fusedRank(l: QuestionLists, i: number, embedding: number, keywordExponent: number): number {
  const fileOf = new Map([...l.keyword, ...l.vector].map((c) => [c.id, c.fileId]));
  const weights = { embedding_weight: embedding, text_weight: 1 - embedding };
  return rank(fuseHybrid({ keyword: l.keyword, vector: l.vector, weights, keywordExponent }).map((f) => fileOf.get(f.id)!), i);
}

async function collect(dialects: string[]): Promise<QuestionLists[][]> {
  const encoder = createLocalEncoder();
  const labelled = await embedLabelled(encoder);
  await encoder.close();
  const dir = mkdtempSync(join(os.tmpdir(), 'sb-bench-tune-'));
  let cluster: ThrowawayCluster | undefined;
  try {
    const out: QuestionLists[][] = [];
    for (const dialect of dialects) {
      const url =
        dialect === 'postgres'
          ? await createDatabase(process.env.SWITCHBOARD_BENCH_PG_URL || (cluster ??= await startThrowawayCluster({ prefix: 'sb-bench-tune-pg-' })).adminUrl, 'sb_tune')
          : join(dir, 'tune.db');
      const store = openDb(url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      await indexLabelled(store, labelled);
      out.push(await candidateLists(store, labelled));
      await store.close();
    }
    return out;
  } finally {
    if (cluster) stopThrowawayCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
}

const perStore = await collect((process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(','));
const vectorRanks = perStore.map((lists) => tuning.map((i) => rank(lists[i]!.vector.map((c) => c.fileId), i)));
for (const exponent of EXPONENTS)
  for (const share of SHARES) {
    let mrr = 0;
    let r1 = 0;
    let below = 0;
    perStore.forEach((lists, s) =>
      tuning.forEach((i, j) => {
        const r = fusedRank(lists[i]!, i, share, exponent);
        const v = vectorRanks[s]![j]!;
        mrr += r > 0 ? 1 / r : 0;
        r1 += r === 1 ? 1 : 0;
        below += v > 0 && (r === 0 || r > v) ? 1 : 0;
      }),
    );
    const n = tuning.length * perStore.length;
    console.log(`embedding ${share.toFixed(3)} exponent ${exponent}: MRR ${(mrr / n).toFixed(3)}, recall@1 ${(r1 / n).toFixed(3)}, below vector ${below}`);
  }
