/**
 * Where a PostgreSQL keyword search spends its time, on the kept store of bench/pg-keyword-store.ts: every
 * statement pgKeywordSearch sends (timed from the client, with its round trip), the JS time between them, and
 * EXPLAIN (ANALYZE, BUFFERS) of each full-text statement (rows ranked, buffers, planning time).
 *
 *   node --import tsx bench/pg-keyword-phases.ts [queries=20] [explain=1] [path=index|sql]
 *
 * path sql: the keyword index turned off (the SQL ranking, as before it); index: built first, then timed.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import { keywordSearch } from '../src/retrieval/chunk-index.js';
import type { Database } from '../src/store/database.js';
import { configureKeywordIndex, whenKeywordIndexBuilt } from '../src/retrieval/keyword-store.pg.js';
import { clusterPids } from './support/pg-cluster.js';
import { cpuMark, foreignShare } from './support/cpu.js';
import { benchQueries, keptCluster, keptStoreUrl, KW_STORE, KW_TENANT } from './pg-keyword-store.js';
import { median } from './support/stats.js';

const count = Number(process.argv[2] ?? 20);
const explain = process.argv[3] !== '0';
const path = process.argv[4] ?? 'index';
const cluster = await keptCluster();
const mark = () => cpuMark([process.pid, ...clusterPids(cluster)]);
const url = await keptStoreUrl();
const pool = new pg.Pool({ connectionString: url, max: 2 });

interface Statement {
  sql: string;
  params: readonly unknown[];
  ms: number;
  start: number;
}
let trace: Statement[] = [];
const db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool }),
  log: (event) => {
    if (event.level !== 'query') return;
    const q: CompiledQuery = event.query;
    const end = performance.now();
    trace.push({ sql: q.sql, params: q.parameters, ms: event.queryDurationMillis, start: end - event.queryDurationMillis });
  },
});

if (path === 'sql') configureKeywordIndex(db, { minChunks: Number.MAX_SAFE_INTEGER });
else await whenKeywordIndexBuilt(db, { tenantId: KW_TENANT, vectorStoreId: KW_STORE });
const queries = benchQueries(count + 1);
const cpu = mark();
const totals: number[] = [];
const perStatement = new Map<number, number[]>();
const gaps: number[] = [];
const statements: number[] = [];
await keywordSearch(db, 'postgres', { tenantId: KW_TENANT, vectorStoreIds: [KW_STORE], query: queries[0]!.query, limit: 50 });
for (const { query } of queries.slice(1)) {
  trace = [];
  const t = performance.now();
  const hits = await keywordSearch(db, 'postgres', { tenantId: KW_TENANT, vectorStoreIds: [KW_STORE], query, limit: 50 });
  const total = performance.now() - t;
  totals.push(total);
  statements.push(trace.length);
  const sqlMs = trace.reduce((s, st) => s + st.ms, 0);
  gaps.push(total - sqlMs);
  trace.forEach((st, i) => perStatement.set(i, [...(perStatement.get(i) ?? []), st.ms]));
  process.stdout.write(
    `${query.padEnd(48)} total ${total.toFixed(1)} ms, ${trace.length} statements [${trace.map((s) => `${s.ms.toFixed(1)}`).join(' ')}], JS between ${(total - sqlMs).toFixed(1)} ms, ${hits.length} hits\n`,
  );
}
process.stdout.write(`\npath ${path}; other processes ${((foreignShare(cpu, mark()) ?? NaN) * 100).toFixed(0)} % CPU`);
process.stdout.write(
  `\nmedian total ${median(totals).toFixed(1)} ms; statements median ${median(statements)}; JS between ${median(gaps).toFixed(2)} ms; per statement position: ${[...perStatement]
    .map(([i, v]) => `#${i + 1} ${median(v).toFixed(1)} ms (n=${v.length})`)
    .join(', ')}\n`,
);

if (explain) {
  trace = [];
  await keywordSearch(db, 'postgres', { tenantId: KW_TENANT, vectorStoreIds: [KW_STORE], query: queries[1]!.query, limit: 50 });
  for (const st of trace.filter((s) => /ts_rank/.test(s.sql))) {
    const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${st.sql}`, st.params as unknown[]);
    process.stdout.write(`\n--- ${st.sql.replace(/\s+/g, ' ').slice(0, 120)}… params ${JSON.stringify(st.params).slice(0, 200)}\n`);
    process.stdout.write(`${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
  }
}
await db.destroy();
