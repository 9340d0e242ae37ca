// Per-test databases for both dialects. `npm test` (scripts/test.mjs) sets DIALECTS and,
// when PostgreSQL is available, SWITCHBOARD_TEST_PG_URL (an admin URL on a throwaway cluster).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

function isDialect(name: string): name is Dialect {
  return (DIALECTS as readonly string[]).includes(name);
}

let warnedNoPostgres = false;

/** Dialects to run tests against: env DIALECTS (comma-separated, default "sqlite"). */
export function testDialects(): Dialect[] {
  const names = (process.env.DIALECTS ?? 'sqlite')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!isDialect(name)) throw new Error(`DIALECTS: unknown dialect "${name}" (expected ${DIALECTS.join(', ')})`);
  }
  const dialects = [...new Set(names as Dialect[])];
  if (dialects.includes('postgres') && !process.env.SWITCHBOARD_TEST_PG_URL) {
    if (!warnedNoPostgres) {
      console.warn('[test] DIALECTS includes postgres but SWITCHBOARD_TEST_PG_URL is not set; skipping postgres');
      warnedNoPostgres = true;
    }
    return dialects.filter((dialect) => dialect !== 'postgres');
  }
  return dialects;
}

/** Runs `fn` with a connected client on the admin database. */
async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database: for sqlite a file path in a new temp dir, for postgres a
 * `postgres://` URL of a newly created database. `drop()` deletes it.
 */
export async function createTestDatabaseUrl(dialect: Dialect): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-test-'));
    return {
      url: path.join(dir, 'switchboard.db'),
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }

  const adminUrl = process.env.SWITCHBOARD_TEST_PG_URL;
  if (!adminUrl) throw new Error('SWITCHBOARD_TEST_PG_URL is not set');
  // Random hex: no quoting issues, and parallel test files never collide.
  const name = `sb_${randomBytes(8).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // WITH (FORCE) (PostgreSQL 13+) terminates any connections a test left open
    // (via pg_terminate_backend) before dropping.
    drop: async () => {
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
