/**
 * The in-memory keyword index (src/retrieval/keyword-*.ts) against the SQL ranking, on the kept 100k-chunk store of
 * bench/pg-keyword-store.ts: build time and memory, then the same queries alternating between the index path
 * (pgKeywordSearch, one statement) and the SQL path (pgPrunedKeywordSearch, as before), each answer compared
 * with the reference query that scores every match (ids and scores must be equal).
 *
 *   node --expose-gc --import tsx bench/pg-keyword-index.ts [queries=50]
 */
import { pgKeywordSearch, pgPrunedKeywordSearch } from '../src/retrieval/chunk-index.pg.js';
import { keywordIndexStats, keywordStoreFor } from '../src/retrieval/keyword-store.pg.js';
import { findChunkIndexVersion } from '../src/store/repos/chunk-index-versions.repo.js';
import { pgFullTextSearch, pgKeywordProbe } from '../src/store/repos/chunks-pg.repo.js';
import { openDb } from '../src/store/open-db.js';
import { clusterPids } from './support/pg-cluster.js';
import { cpuMark, foreignShare } from './support/cpu.js';
import { benchQueries, keptCluster, keptStoreUrl, KW_STORE, KW_TENANT } from './pg-keyword-store.js';
import { percentile } from './support/stats.js';

const count = Number(process.argv[2] ?? 50);
const LIMIT = 50; // hybridSearch asks each ranker for max(2 × 20, 50)
const url = await keptStoreUrl();
const cluster = await keptCluster();
const mark = () => cpuMark([process.pid, ...clusterPids(cluster)]);
const store = openDb(url);
const db = store.db;
const key = { tenantId: KW_TENANT, vectorStoreId: KW_STORE };
const gcOnce = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Full collections with a pause between (array buffers are swept concurrently). */
const gc = async () => {
  for (let i = 0; i < 3; i++) {
    gcOnce();
    await new Promise((r) => setTimeout(r, 200));
  }
};
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;

await gc();
const before = process.memoryUsage();
let m = mark();
let t = performance.now();
const row = (await findChunkIndexVersion(db, key))!;
await keywordStoreFor(db, key).whenBuilt(db, row);
const buildS = (performance.now() - t) / 1000;
const buildForeign = foreignShare(m, mark());
await gc();
const after = process.memoryUsage();
const stats = keywordIndexStats(db)[0]!;
process.stdout.write(
  `build: ${buildS.toFixed(1)} s (other processes ${((buildForeign ?? NaN) * 100).toFixed(0)} % CPU), ${stats.chunks} chunks, ${stats.lexemes} lexemes; ` +
    `index arrays ${mb(stats.bytes)}; process heap +${mb(after.heapUsed - before.heapUsed)}, array buffers +${mb(after.arrayBuffers - before.arrayBuffers)}, RSS +${mb(after.rss - before.rss)}\n`,
);

const scope = { tenantId: KW_TENANT, vectorStoreIds: [KW_STORE], limit: LIMIT };
const indexMs: number[] = [];
const sqlMs: number[] = [];
const probeMs: number[] = [];
const memoryMs: number[] = [];
const memoryCpuMs: number[] = [];
let mismatches = 0;
m = mark();
for (const { query } of benchQueries(count)) {
  t = performance.now();
  const viaIndex = await pgKeywordSearch(db, { ...scope, query });
  indexMs.push(performance.now() - t);
  t = performance.now();
  const probe = await pgKeywordProbe(db, { ...scope, query });
  probeMs.push(performance.now() - t);
  t = performance.now();
  const cpu = process.cpuUsage();
  await keywordStoreFor(db, key).search(db, probe.versions.get(KW_STORE)!, probe.lexemes, LIMIT);
  const used = process.cpuUsage(cpu);
  memoryMs.push(performance.now() - t);
  memoryCpuMs.push((used.user + used.system) / 1000);
  const lexemes = probe.lexemes;
  t = performance.now();
  const viaSql = await pgPrunedKeywordSearch(db, { ...scope, query }, lexemes);
  sqlMs.push(performance.now() - t);
  const reference = await pgFullTextSearch(db, { ...scope, query });
  const same = (a: typeof reference) => JSON.stringify(a.map((h) => [h.id, h.score])) === JSON.stringify(reference.map((h) => [h.id, Number(h.score)]));
  if (!same(viaIndex) || !same(viaSql)) {
    mismatches++;
    process.stdout.write(`MISMATCH ${query}: index ${JSON.stringify(viaIndex.slice(0, 3).map((h) => [h.id, h.score]))} sql ${JSON.stringify(reference.slice(0, 3).map((h) => [h.id, h.score]))}\n`);
  }
}
const foreign = foreignShare(m, mark());
for (const xs of [indexMs, sqlMs, probeMs, memoryMs, memoryCpuMs]) xs.sort((a, b) => a - b);
const row2 = (label: string, xs: number[]) => `| ${label} | ${percentile(xs, 50).toFixed(2)} | ${percentile(xs, 99).toFixed(2)} |`;
process.stdout.write(
  `\n${count} queries alternating, limit ${LIMIT}, other processes ${((foreign ?? NaN) * 100).toFixed(0)} % CPU; answers differing from the full ranking: ${mismatches}\n` +
    `| path | p50 ms | p99 ms |\n|---|---:|---:|\n${row2('in-memory index (1 statement)', indexMs)}\n${row2('SQL, pruned (before)', sqlMs)}\n` +
    `${row2('  of the index path: the statement (lexemes + versions)', probeMs)}\n${row2('  of the index path: ranking in memory', memoryMs)}\n${row2('  of the index path: ranking in memory, CPU ms of this process', memoryCpuMs)}\n`,
);
await store.close();
