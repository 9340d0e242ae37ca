/**
 * Where a hybrid query's time goes on one SQLite store of retrieval.bench.ts's synthetic chunks, built once and kept:
 *
 *   PROFILE_DB=/tmp/s7-sqlhy/100k.db PROFILE_SCALE=100000 node --import tsx bench/retrieval-profile.ts
 *
 * Builds the store when the file is missing (the bench's generator and seeds: the same chunks and queries as its
 * 100k row), builds the nearest-neighbour index (all cores), then runs PROFILE_QUERIES queries (the bench's) and
 * reports per query: each SQL statement's time (through a Kysely plugin), the keyword and vector halves alone, and
 * the whole hybridSearch, as medians. Other processes' CPU share is printed beside the timings.
 */
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { annStoreFor, configureAnn } from '../src/retrieval/ann-registry.js';
import { addChunks, hybridSearch, keywordSearch, vectorSearch } from '../src/retrieval/chunk-index.js';
import { fuseHybrid } from '../src/retrieval/fuse.js';
import { findChunkTexts } from '../src/store/repos/chunks.repo.js';
import type { Chunk } from '../src/retrieval/types.js';
import type { Db } from '../src/store/database.js';
import { migrateToLatest, openDb } from '../src/store/open-db.js';
import { mulberry32 as rng } from '../test/support/prng.js';
import { syntheticQuery, Vocabulary } from './retrieval-corpus.js';
import { cpuMark, foreignShare } from './support/cpu.js';
import { envInt } from './support/env.js';
import { percentile } from './support/stats.js';
import { syntheticVectors } from './synthetic-vectors.js';

const TENANT = 'tenant_bench';
const STORE = 'vs_scale';

/** Counts and times every statement run through the Kysely instance it is attached to. */
export class StatementLog implements KyselyPlugin {
  readonly #started = new Map<unknown, number>();
  readonly #sql = new Map<unknown, string>();
  entries: Array<{ sql: string; ms: number; rows: number }> = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId, performance.now());
    const node = args.node;
    this.#sql.set(args.queryId, node.kind === 'RawNode' ? node.sqlFragments.join('?').replace(/\s+/g, ' ').trim().slice(0, 70) : node.kind);
    return node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const t = this.#started.get(args.queryId);
    this.#started.delete(args.queryId);
    const sql = this.#sql.get(args.queryId) ?? '?';
    this.#sql.delete(args.queryId);
    this.entries.push({ sql, ms: t === undefined ? NaN : performance.now() - t, rows: args.result.rows.length });
    return args.result;
  }
}

async function build(url: string, scale: number, vocab: Vocabulary): Promise<void> {
  mkdirSync(dirname(url), { recursive: true });
  const store = openDb(url);
  const { error } = await migrateToLatest(store.db);
  if (error) throw error;
  const space = syntheticVectors('embedding', 512);
  const rand = rng(42); // the bench's Filler
  const tokens = Math.round(600 * 1.33);
  for (let done = 0, file = 0; done < scale; file++) {
    const n = Math.min(100, scale - done);
    const chunks: Chunk[] = [];
    const vectors: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      chunks.push({ index: i, text: vocab.chunk(rand, 600), tokens });
      vectors.push(space.chunk(done + i));
    }
    await store.db.transaction().execute((trx) => addChunks(trx, 'sqlite', { tenantId: TENANT, vectorStoreId: STORE, fileId: `file_${file}`, chunks, vectors }));
    done += n;
    if (file % 100 === 0) process.stderr.write(`built ${done}/${scale}\n`);
  }
  await store.close();
}

const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

async function main(): Promise<void> {
  const url = process.env.PROFILE_DB ?? '/tmp/s7-sqlhy/100k.db';
  const scale = envInt('PROFILE_SCALE', 100_000);
  const queries = envInt('PROFILE_QUERIES', 50);
  const vocab = new Vocabulary(rng(7));
  if (!existsSync(url)) await build(url, scale, vocab);
  const plugin = new StatementLog();
  const store = openDb(url);
  const db: Db = store.db.withPlugin(plugin);
  configureAnn(db, { threads: os.cpus().length, batch: 1_000, page: 5_000 });
  let t = performance.now();
  await annStoreFor(db, { tenantId: TENANT, vectorStoreId: STORE, dims: 512 }).whenBuilt(db);
  process.stderr.write(`index built in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const space = syntheticVectors('embedding', 512);
  const rand = rng(1000 + scale); // the bench's query sequence
  const scope = { tenantId: TENANT, vectorStoreIds: [STORE], limit: 50 };
  const phases: Record<string, number[]> = { keyword: [], 'keyword (hybrid half, windowed)': [], vector: [], hybrid: [], 'hybrid, exact keyword half (as before)': [] };
  /** hybridSearch as it was before the windowed keyword half: the same steps, the keyword half exact. */
  const exactHybrid = async (q: { query: string; vector: Float32Array }) => {
    const [keyword, vector] = await Promise.all([keywordSearch(db, 'sqlite', { ...scope, query: q.query }), vectorSearch(db, 'sqlite', { ...scope, vector: q.vector })]);
    const fused = fuseHybrid({ keyword, vector }).slice(0, 20);
    return findChunkTexts(db, TENANT, fused.map((f) => f.id));
  };
  const perStatement = new Map<string, { sql: string; ms: number[] }>();
  const counts: number[] = [];
  const mark = cpuMark([process.pid]);
  for (let i = -1; i < queries; i++) {
    const q = { query: syntheticQuery(vocab, rand), vector: space.query(rand, scale) };
    t = performance.now();
    await keywordSearch(db, 'sqlite', { ...scope, query: q.query });
    const kw = performance.now() - t;
    t = performance.now();
    await keywordSearch(db, 'sqlite', { ...scope, query: q.query, windowed: true });
    const half = performance.now() - t;
    t = performance.now();
    await vectorSearch(db, 'sqlite', { ...scope, vector: q.vector });
    const vec = performance.now() - t;
    t = performance.now();
    await exactHybrid(q);
    const before = performance.now() - t;
    plugin.entries = [];
    t = performance.now();
    await hybridSearch(db, 'sqlite', { tenantId: TENANT, vectorStoreIds: [STORE], ...q, limit: 20 });
    const hy = performance.now() - t;
    if (i < 0) continue; // warm-up
    phases.keyword!.push(kw);
    phases.vector!.push(vec);
    phases['keyword (hybrid half, windowed)']!.push(half);
    phases['hybrid, exact keyword half (as before)']!.push(before);
    phases.hybrid!.push(hy);
    counts.push(plugin.entries.length);
    plugin.entries.forEach((e, j) => {
      const key = `${j} ${e.sql}`;
      const entry = perStatement.get(key) ?? { sql: e.sql, ms: [] };
      entry.ms.push(e.ms);
      perStatement.set(key, entry);
    });
  }
  const foreign = foreignShare(mark, cpuMark([process.pid]));
  console.log(`other processes' CPU share: ${((foreign ?? NaN) * 100).toFixed(0)} %`);
  for (const [name, xs] of Object.entries(phases)) console.log(`${name} alone: p50 ${med(xs).toFixed(2)} ms, p90 ${percentile([...xs].sort((a, b) => a - b), 90).toFixed(2)} ms`);
  console.log(`statements per hybrid query: ${Math.min(...counts)}–${Math.max(...counts)}`);
  for (const [key, { ms }] of perStatement) console.log(`  #${key}: p50 ${med(ms).toFixed(2)} ms (${ms.length} queries)`);
  await store.close();
}

await main();
