/**
 * A kept 100k-chunk PostgreSQL store for keyword-search experiments (issue 15 item 2): the retrieval bench's
 * generator (the same vocabulary, chunks and queries as bench/retrieval.bench.ts: vocabulary seed 7, fill seed
 * 42, queries seed 1000 + scale) and its ingestion path (addChunks, one transaction per file of 100 chunks), on a
 * cluster under PG_KW_DIR (default /tmp/s7-pgkw) that survives between runs, so each experiment skips the fill.
 *
 *   node --import tsx bench/pg-keyword-store.ts build     # start (or restart) the cluster, fill once; prints the URL
 *   node --import tsx bench/pg-keyword-store.ts url       # start the cluster if stopped; prints the URL
 *   node --import tsx bench/pg-keyword-store.ts stop      # stop the cluster (the data stays)
 *
 * Env: PG_KW_DIR, PG_KW_CHUNKS (100000), PG_KW_WORDS (600).
 * The generator is a copy of the bench's (which exports none of it): keep the two in step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { addChunks } from '../src/retrieval/chunk-index.js';
import type { Chunk } from '../src/retrieval/types.js';
import { migrateToLatest, openDb } from '../src/store/open-db.js';
import { mulberry32 as rng } from '../test/support/prng.js';
import { adminQuery, createDatabase, startThrowawayCluster, type ThrowawayCluster } from './support/pg-cluster.js';
import { syntheticVectors } from './synthetic-vectors.js';
import { syntheticQuery, Vocabulary } from './retrieval-corpus.js';

export const KW_DIR = process.env.PG_KW_DIR ?? '/tmp/s7-pgkw';
export const KW_TENANT = 'tenant_bench';
export const KW_STORE = 'vs_scale';
const CHUNKS = Number(process.env.PG_KW_CHUNKS ?? 100_000);
const WORDS = Number(process.env.PG_KW_WORDS ?? 600);
const FILE_CHUNKS = 100;
const DB_NAME = `sb_kw_${CHUNKS}`;

/** The bench's query sequence at this scale: text and vector drawn alternately from one generator. */
export function benchQueries(count: number): { query: string; vector: Float32Array }[] {
  const vocab = new Vocabulary(rng(7));
  const space = syntheticVectors('embedding', 512);
  const rand = rng(1000 + CHUNKS);
  return Array.from({ length: count }, () => ({ query: syntheticQuery(vocab, rand), vector: space.query(rand, CHUNKS) }));
}

const stateFile = join(KW_DIR, 'cluster.json');

/** The kept cluster, started if it is stopped (on its first port). */
export async function keptCluster(): Promise<ThrowawayCluster> {
  if (!existsSync(stateFile)) {
    mkdirSync(KW_DIR, { recursive: true });
    process.env.TMPDIR = KW_DIR; // startThrowawayCluster makes its dir under os.tmpdir()
    const cluster = await startThrowawayCluster({ prefix: 'pg-', settings: ['-c max_connections=50'] });
    writeFileSync(stateFile, JSON.stringify(cluster));
    return cluster;
  }
  const cluster = JSON.parse(readFileSync(stateFile, 'utf8')) as ThrowawayCluster;
  if (!existsSync(join(cluster.dataDir, 'postmaster.pid'))) {
    const port = new URL(cluster.adminUrl).port;
    const opts = [`-p ${port}`, `-k ${cluster.dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=50'].join(' ');
    const r = spawnSync(cluster.pgCtl, ['-D', cluster.dataDir, '-l', join(cluster.dir, 'server.log'), '-o', opts, '-w', 'start'], {
      ...cluster.asUser,
      cwd: cluster.dir,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`pg_ctl start failed: ${r.stderr}`);
  }
  return cluster;
}

/** The kept store's URL, built (filled and VACUUM ANALYZEd) the first time. */
export async function keptStoreUrl(log: (msg: string) => void = () => {}): Promise<string> {
  const cluster = await keptCluster();
  const exists = await adminQuery(cluster.adminUrl, `select 1 from pg_database where datname = '${DB_NAME}'`);
  const url = new URL(cluster.adminUrl);
  url.pathname = `/${DB_NAME}`;
  if (exists.length > 0) return url.toString();
  await createDatabase(cluster.adminUrl, DB_NAME);
  await fill(url.toString(), log);
  return url.toString();
}

async function fill(url: string, log: (msg: string) => void): Promise<void> {
  const store = openDb(url);
  try {
    const { error } = await migrateToLatest(store.db);
    if (error) throw error;
    const vocab = new Vocabulary(rng(7));
    const space = syntheticVectors('embedding', 512);
    const rand = rng(42);
    const tokens = Math.round(WORDS * 1.33);
    const t0 = performance.now();
    for (let done = 0, file = 0; done < CHUNKS; file++) {
      const n = Math.min(FILE_CHUNKS, CHUNKS - done);
      const chunks: Chunk[] = [];
      const vectors: Float32Array[] = [];
      for (let i = 0; i < n; i++) {
        chunks.push({ index: i, text: vocab.chunk(rand, WORDS), tokens });
        vectors.push(space.chunk(done + i));
      }
      await store.db.transaction().execute((trx) =>
        addChunks(trx, 'postgres', { tenantId: KW_TENANT, vectorStoreId: KW_STORE, fileId: `file_${file}`, chunks, vectors }),
      );
      done += n;
      if (file % 100 === 99) log(`filled ${done}/${CHUNKS} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    await sql`vacuum analyze chunks`.execute(store.db);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const cmd = process.argv[2] ?? 'url';
  const log = (msg: string) => process.stderr.write(`[pg-keyword-store] ${msg}\n`);
  if (cmd === 'stop') {
    if (!existsSync(stateFile)) return;
    const c = JSON.parse(readFileSync(stateFile, 'utf8')) as ThrowawayCluster;
    spawnSync(c.pgCtl, ['-D', c.dataDir, '-m', 'fast', 'stop'], { ...c.asUser, cwd: c.dir, stdio: 'inherit' });
    return;
  }
  if (cmd !== 'build' && cmd !== 'url') throw new Error(`unknown command '${cmd}' (build, url, stop)`);
  process.stdout.write(`${await keptStoreUrl(log)}\n`);
}

if (process.argv[1]?.endsWith('pg-keyword-store.ts')) await main();
