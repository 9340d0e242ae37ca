/**
 * Retrieval quality on the labelled set (bench/retrieval-questions.ts): recall@1, recall@5 and MRR of keyword,
 * vector and hybrid search through hybridSearch, and of the reciprocal rank fusion hybrid used before issue 15
 * (from the same candidate lists), per store, per kind of question, on the tuning two thirds and the held-back third.
 * Real Universal Sentence Encoder embeddings (the local encoder) for documents and questions.
 *
 *   npm run bench:retrieval-quality                      # both stores; writes its block into BENCHMARKS.md
 *   BENCH_DIALECTS=sqlite BENCH_WRITE=0 npm run bench:retrieval-quality
 *
 * bench/retrieval.bench.ts runs the same measurement (embedLabelled, measureQuality, writeQualityBlock).
 * PostgreSQL: SWITCHBOARD_BENCH_PG_URL (an admin URL) or a throwaway cluster (bench/support/pg-cluster.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalEncoder } from '../src/embeddings/local-encoder.js';
import { hybridSearch, type SearchMode } from '../src/retrieval/chunk-index.js';
import { reciprocalRankFusion } from '../src/retrieval/fuse.js';
import { migrateToLatest, openDb, type Store } from '../src/store/open-db.js';
import { candidateLists, embedLabelled, indexLabelled, QUALITY_STORE, QUALITY_TENANT, type Labelled } from './retrieval-lists.js';
import { DOCUMENTS, QUESTION_KINDS, QUESTIONS, splitOf, type Split } from './retrieval-questions.js';
import { writeBenchmarkBlock } from './support/benchmarks-md.js';
import { createDatabase, dropDatabase, startThrowawayCluster, stopThrowawayCluster, type ThrowawayCluster } from './support/pg-cluster.js';

export { embedLabelled, type Labelled } from './retrieval-lists.js';

/** max_num_results for the measurement: ranks are counted among the distinct files of this many hits. */
const SEARCH_LIMIT = 20;
const SPLITS: readonly Split[] = ['tuning', 'held-back'];
/** `rrf (before)`: the reciprocal rank fusion (k = 60) hybridSearch used before issue 15, on the same candidates. */
export type QualityMode = SearchMode | 'rrf (before)';

export interface QualityResult {
  dialect: string;
  mode: QualityMode;
  /** Per question (QUESTIONS order): rank of the labelled document among distinct files, 0 if absent. */
  ranks: number[];
}

/** Rank (from 1) of the question's document among the distinct files of `fileIds`, 0 when absent. */
function rankOf(fileIds: readonly string[], answer: string): number {
  return [...new Set(fileIds)].indexOf(`doc-${answer}`) + 1;
}

/** Indexes the set in the fresh, migrated database at `url` and measures every mode on it. */
export async function measureQuality(dialect: string, url: string, labelled: Labelled): Promise<QualityResult[]> {
  const store = openDb(url);
  try {
    await indexLabelled(store, labelled);
    const out: QualityResult[] = [];
    for (const mode of ['keyword', 'vector', 'hybrid'] as const) out.push({ dialect, mode, ranks: await searchRanks(store, labelled, mode) });
    const lists = await candidateLists(store, labelled);
    const rrf = lists.map((l, i) => {
      const fused = reciprocalRankFusion([l.keyword.map((c) => c.id), l.vector.map((c) => c.id)]).slice(0, SEARCH_LIMIT);
      const fileOf = new Map([...l.keyword, ...l.vector].map((c) => [c.id, c.fileId]));
      return rankOf(fused.map((f) => fileOf.get(f.id)!), QUESTIONS[i]!.answer);
    });
    out.push({ dialect, mode: 'rrf (before)', ranks: rrf });
    return out;
  } finally {
    await store.close();
  }
}

async function searchRanks(store: Store, labelled: Labelled, mode: SearchMode): Promise<number[]> {
  const ranks: number[] = [];
  for (const [i, q] of QUESTIONS.entries()) {
    const hits = await hybridSearch(store.db, store.dialect, {
      tenantId: QUALITY_TENANT,
      vectorStoreIds: [QUALITY_STORE],
      query: q.question,
      vector: labelled.questionVectors[i],
      limit: SEARCH_LIMIT,
      mode,
    });
    ranks.push(rankOf(hits.map((h) => h.fileId), q.answer));
  }
  return ranks;
}

// ---------------------------------------------------------------------------
// Report

export interface Metrics {
  n: number;
  recall1: number;
  recall5: number;
  mrr: number;
}

export function metrics(ranks: readonly number[]): Metrics {
  const n = ranks.length;
  if (n === 0) return { n, recall1: NaN, recall5: NaN, mrr: NaN };
  const recall1 = ranks.filter((r) => r === 1).length / n;
  const recall5 = ranks.filter((r) => r >= 1 && r <= 5).length / n;
  const mrr = ranks.reduce((s, r) => s + (r > 0 ? 1 / r : 0), 0) / n;
  return { n, recall1, recall5, mrr };
}

/** The ranks of the questions that pass `keep` (by QUESTIONS index). */
function pick(ranks: readonly number[], keep: (i: number) => boolean): number[] {
  return ranks.filter((_, i) => keep(i));
}

/** Ranks its document lower than vector does (or loses it). */
const worse = (r: number, vector: number) => vector > 0 && (r === 0 || r > vector);
const f3 = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(3));
const f2 = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(2));
const inSplit = (split: Split) => (i: number) => splitOf(QUESTIONS, i) === split;

function summaryTable(quality: readonly QualityResult[]): string[] {
  const L = [
    '| dialect | mode | split (questions) | recall@1 | **recall@5** | MRR | ranked below vector |',
    '|---|---|---|---:|---:|---:|---:|',
  ];
  for (const q of quality) {
    const vector = quality.find((v) => v.dialect === q.dialect && v.mode === 'vector')!;
    for (const split of SPLITS) {
      const keep = inSplit(split);
      const m = metrics(pick(q.ranks, keep));
      const below = q.ranks.filter((r, i) => keep(i) && worse(r, vector.ranks[i]!)).length;
      L.push(`| ${q.dialect} | ${q.mode} | ${split} (${m.n}) | ${f3(m.recall1)} | **${f3(m.recall5)}** | ${f3(m.mrr)} | ${q.mode === 'vector' ? '—' : below} |`);
    }
  }
  return L;
}

function kindTable(quality: readonly QualityResult[]): string[] {
  const modes: QualityMode[] = ['keyword', 'vector', 'hybrid', 'rrf (before)'];
  const L = [
    `| dialect | kind | questions (tuning / held-back) | ${modes.map((m) => `MRR ${m}`).join(' | ')} | ${modes.map((m) => `recall@1 ${m}`).join(' | ')} |`,
    `|---|---|---:|${modes.map(() => '---:').join('|')}|${modes.map(() => '---:').join('|')}|`,
  ];
  for (const dialect of new Set(quality.map((q) => q.dialect)))
    for (const kind of QUESTION_KINDS) {
      const ofKind = (split: Split) => (i: number) => QUESTIONS[i]!.kind === kind && inSplit(split)(i);
      const cell = (mode: QualityMode, key: 'mrr' | 'recall1') => {
        const q = quality.find((r) => r.dialect === dialect && r.mode === mode);
        return q ? SPLITS.map((s) => f2(metrics(pick(q.ranks, ofKind(s)))[key])).join(' / ') : '—';
      };
      const counts = SPLITS.map((s) => QUESTIONS.filter((_, i) => ofKind(s)(i)).length).join(' / ');
      L.push(`| ${dialect} | ${kind} | ${counts} | ${modes.map((m) => cell(m, 'mrr')).join(' | ')} | ${modes.map((m) => cell(m, 'recall1')).join(' | ')} |`);
    }
  return L;
}

function belowVectorLines(quality: readonly QualityResult[]): string[] {
  const L: string[] = [];
  for (const h of quality.filter((q) => q.mode === 'hybrid')) {
    const vector = quality.find((v) => v.dialect === h.dialect && v.mode === 'vector')!;
    const rows = QUESTIONS.flatMap((q, i) =>
      worse(h.ranks[i]!, vector.ranks[i]!) ? [`"${q.question}" (${q.kind}, ${splitOf(QUESTIONS, i)}: ${h.ranks[i] || '—'} vs ${vector.ranks[i]})`] : [],
    );
    const better = QUESTIONS.filter((_, i) => worse(vector.ranks[i]!, h.ranks[i]!) || (vector.ranks[i] === 0 && h.ranks[i]! > 0)).length;
    L.push(`- ${h.dialect}: hybrid ranks the document higher than vector on ${better} questions and lower on ${rows.length}${rows.length ? `: ${rows.join('; ')}` : ''}.`);
  }
  return L;
}

/** The markdown block (without heading) for BENCHMARKS.md. */
export function qualityReport(quality: readonly QualityResult[], labelled: Labelled): string {
  const byKind = QUESTION_KINDS.map((k) => `${QUESTIONS.filter((q) => q.kind === k).length} ${k}`).join(', ');
  const multi = [...labelled.docChunks.values()].filter((d) => d.chunks.length > 1).length;
  const L = [
    '### Retrieval quality',
    '',
    `Command: \`npm run bench:retrieval-quality\` (\`bench/retrieval-quality.ts\`; also run by \`npm run bench:retrieval\`). ` +
      `Labelled set \`bench/retrieval-questions.ts\` + \`bench/retrieval-labelled/\`: ${DOCUMENTS.length} hand-written documents on distinct topics ` +
      `(${multi} of them longer than one 800-token chunk), ${QUESTIONS.length} questions each labelled with the document that answers it: ${byKind}. ` +
      'Split fixed before tuning: every third question of each kind is held back; the fusion weights were chosen on the tuning part only. ' +
      'Real USE embeddings (local encoder, 512-d), chunking 800/400. ' +
      `recall@k: the labelled document is among the first k distinct files of the hits (max_num_results ${SEARCH_LIMIT}); MRR: mean of 1/rank (0 if absent). ` +
      'hybrid: 0.85 · cosine + 0.15 · (keyword score / best keyword score)² (src/retrieval/fuse.ts); rrf (before): reciprocal rank fusion, k = 60, on the same candidates. ' +
      '"ranked below vector": questions whose document hybrid ranks lower than vector alone does.',
    '',
    ...summaryTable(quality),
    '',
    'Per kind, MRR and recall@1 as tuning / held-back:',
    '',
    ...kindTable(quality),
    '',
    ...belowVectorLines(quality),
  ];
  return L.join('\n');
}

export function writeQualityBlock(block: string): void {
  writeBenchmarkBlock({ id: 'retrieval-quality', generatedBy: 'bench/retrieval-quality.ts', heading: '## Retrieval (file_search)', block });
}

// ---------------------------------------------------------------------------
// Standalone

async function freshUrl(dialect: string, dir: string, pg: () => Promise<string>): Promise<{ url: string; drop: () => Promise<void> }> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const admin = dialect === 'postgres' ? await pg() : '';
  const name = `sb_bench_quality_${randomBytes(4).toString('hex')}`;
  const url = dialect === 'postgres' ? await createDatabase(admin, name) : join(dir, `${name}.db`);
  const store = openDb(url);
  const { error } = await migrateToLatest(store.db);
  await store.close();
  if (error) throw error;
  return { url, drop: async () => (dialect === 'postgres' ? dropDatabase(admin, name, log) : undefined) };
}

async function main(): Promise<number> {
  const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',').map((d) => d.trim()).filter(Boolean);
  const dir = mkdtempSync(join(os.tmpdir(), 'sb-bench-quality-'));
  let cluster: ThrowawayCluster | undefined;
  const pg = async () => process.env.SWITCHBOARD_BENCH_PG_URL || (cluster ??= await startThrowawayCluster({ prefix: 'sb-bench-quality-pg-' })).adminUrl;
  const encoder = createLocalEncoder();
  try {
    const labelled = await embedLabelled(encoder);
    await encoder.close();
    const quality: QualityResult[] = [];
    for (const dialect of dialects) {
      const { url, drop } = await freshUrl(dialect, dir, pg);
      quality.push(...(await measureQuality(dialect, url, labelled)));
      await drop();
    }
    const block = qualityReport(quality, labelled);
    process.stdout.write(`${block}\n`);
    if (process.env.BENCH_WRITE !== '0') writeQualityBlock(block);
    return 0;
  } finally {
    await encoder.close().catch(() => {});
    if (cluster) stopThrowawayCluster(cluster);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(await main());
