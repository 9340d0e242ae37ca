/**
 * Hybrid search at 100k chunks on PostgreSQL, before and after the in-memory keyword index, side by side on the
 * kept store of bench/pg-keyword-store.ts: two connections, each with the nearest-neighbour index built (as
 * bench/retrieval-ann.ts measures hybrid), one ranking keywords by SQL (the keyword index turned off), one from
 * the keyword index; the same queries alternate between them (which goes first alternates too).
 *
 *   node --import tsx bench/pg-keyword-store.ts build && node --import tsx bench/pg-keyword-hybrid.ts [queries=50]
 *
 * Writes its table into BENCHMARKS.md between the `pg-keyword` markers unless other processes used more than a
 * quarter of the CPU meanwhile (BENCH_WRITE=0: never, force: anyway).
 */
import { annStoreFor, configureAnn } from '../src/retrieval/ann-registry.js';
import { hybridSearch, type SearchMode } from '../src/retrieval/chunk-index.js';
import { configureKeywordIndex, keywordIndexStats, whenKeywordIndexBuilt } from '../src/retrieval/keyword-store.pg.js';
import { writeIfQuiet, writeModeFromEnv } from './support/benchmarks-md.js';
import { openDb, type Store } from '../src/store/open-db.js';
import { clusterPids } from './support/pg-cluster.js';
import { cpuMark, foreignShare } from './support/cpu.js';
import { benchQueries, keptCluster, keptStoreUrl, KW_STORE, KW_TENANT } from './pg-keyword-store.js';
import { percentile } from './support/stats.js';

const count = Number(process.argv[2] ?? 50);
const url = await keptStoreUrl();
const cluster = await keptCluster();
const mark = () => cpuMark([process.pid, ...clusterPids(cluster)]);
const key = { tenantId: KW_TENANT, vectorStoreId: KW_STORE };
const log = (msg: string) => process.stderr.write(`[pg-keyword-hybrid] ${msg}\n`);

const sides = { sql: openDb(url), index: openDb(url) } as const;
configureKeywordIndex(sides.sql.db, { minChunks: Number.MAX_SAFE_INTEGER });
for (const [name, store] of Object.entries(sides)) {
  configureAnn(store.db, { threads: 2, batch: 1_000, page: 5_000 });
  const t = performance.now();
  await annStoreFor(store.db, { ...key, dims: 512 }).whenBuilt(store.db);
  log(`${name}: nearest-neighbour index built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const rssBefore = process.memoryUsage().rss;
const buildMark = mark();
let t = performance.now();
await whenKeywordIndexBuilt(sides.index.db, key);
const buildS = (performance.now() - t) / 1000;
const buildForeign = foreignShare(buildMark, mark()) ?? NaN;
const rssAdded = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
const stats = keywordIndexStats(sides.index.db)[0]!;
log(`index: keyword index built in ${buildS.toFixed(1)} s`);

const search = (store: Store, q: { query: string; vector: Float32Array }, mode: SearchMode) =>
  hybridSearch(store.db, store.dialect, { ...key, vectorStoreIds: [KW_STORE], ...q, limit: 20, mode });
const queries = benchQueries(count + 1);
for (const store of Object.values(sides)) for (const mode of ['keyword', 'hybrid'] as const) await search(store, queries[0]!, mode);

const modes = ['keyword', 'vector', 'hybrid'] as const;
const timed = Object.fromEntries(modes.map((m) => [m, { sql: [] as number[], index: [] as number[] }]));
const m = mark();
for (const [i, q] of queries.slice(1).entries()) {
  for (const mode of modes) {
    const order = i % 2 === 0 ? (['sql', 'index'] as const) : (['index', 'sql'] as const);
    for (const side of order) {
      t = performance.now();
      await search(sides[side], q, mode);
      timed[mode]![side].push(performance.now() - t);
    }
  }
}
const foreign = foreignShare(m, mark()) ?? NaN;
const p = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q).toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const block = [
  `Command: \`node --import tsx bench/pg-keyword-store.ts build && node --import tsx bench/pg-keyword-hybrid.ts ${count}\` ` +
    `(the retrieval bench's 100k-chunk store: 600 Zipf words a chunk, 512-d vectors; its queries, limit 20). ${new Date().toISOString()}`,
  '',
  `PostgreSQL keyword ranking in memory (src/retrieval/keyword-index.ts: ts_rank recomputed exactly from each chunk's lexeme counts) ` +
    `against the SQL ranking, both beside the nearest-neighbour index, the same queries alternating between the two connections. ` +
    `Keyword index: ${stats.chunks.toLocaleString('en-US')} chunks, ${stats.lexemes.toLocaleString('en-US')} lexemes, ${(stats.bytes / 2 ** 20).toFixed(1)} MB of arrays, ` +
    `RSS +${rssAdded.toFixed(0)} MB while building; built in ${buildS.toFixed(1)} s (other processes ${pct(buildForeign)} CPU). ` +
    `Other processes used ${pct(foreign)} of the CPU during the queries.`,
  '',
  '| mode | SQL keywords p50 / p99 ms | keyword index p50 / p99 ms |',
  '|---|---:|---:|',
  ...modes.map((mode) => `| ${mode} | ${p(timed[mode]!.sql, 50)} / ${p(timed[mode]!.sql, 99)} | **${p(timed[mode]!.index, 50)}** / ${p(timed[mode]!.index, 99)} |`),
].join('\n');
process.stdout.write(`${block}\n`);
writeIfQuiet({
  id: 'pg-keyword',
  generatedBy: 'bench/pg-keyword-hybrid.ts',
  heading: '## Retrieval (file_search)',
  block,
  mode: writeModeFromEnv(),
  disturbed: !(foreign <= 0.25),
  log,
});
for (const store of Object.values(sides)) await store.close();
