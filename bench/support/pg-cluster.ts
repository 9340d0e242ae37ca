/**
 * A throwaway PostgreSQL cluster for the benchmarks (the same approach as scripts/test.mjs):
 * initdb/pg_ctl from the installed binaries in a temp dir on a free port, run as an unprivileged
 * user when we are root (initdb and postgres refuse root).
 */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { childPids } from '../../test/support/proc.js';

export interface ThrowawayCluster {
  dir: string;
  dataDir: string;
  pgCtl: string;
  asUser: { uid?: number; gid?: number };
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function findPgBinDir(): string | undefined {
  const candidates: string[] = [];
  const initdb = which('initdb');
  if (initdb) candidates.push(dirname(initdb));
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot))
    candidates.push(...readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a)).map((v) => join(debianRoot, v, 'bin')));
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

function userIds(name: string): { name: string; uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster with extra server settings (`-c name=value` strings); removes its dir if it fails. */
export async function startThrowawayCluster(opts: { prefix: string; settings?: string[] }): Promise<ThrowawayCluster> {
  const binDir = findPgBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found; set SWITCHBOARD_BENCH_PG_URL');
  const isRoot = process.getuid?.() === 0;
  const user = isRoot ? (userIds('postgres') ?? userIds('nobody')) : undefined;
  if (isRoot && !user) throw new Error('running as root and found no unprivileged user to run PostgreSQL as');
  const dir = mkdtempSync(join(os.tmpdir(), opts.prefix));
  try {
    const dataDir = join(dir, 'data');
    if (user) chownSync(dir, user.uid, user.gid);
    const asUser = user ? { uid: user.uid, gid: user.gid } : {};
    const pgCtl = join(binDir, 'pg_ctl');
    const spawnOpts = { cwd: dir, ...asUser, stdio: ['ignore', 'ignore', 'pipe'] as ('ignore' | 'pipe')[], encoding: 'utf8' as const, timeout: 120_000 };
    const init = spawnSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], spawnOpts);
    if (init.status !== 0) throw new Error(`initdb failed (exit ${init.status}): ${init.stderr}`);
    const port = await freePort();
    const serverOpts = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', ...(opts.settings ?? [])].join(' ');
    const started = spawnSync(pgCtl, ['-D', dataDir, '-l', join(dir, 'server.log'), '-o', serverOpts, '-w', 'start'], spawnOpts);
    if (started.status !== 0) throw new Error(`pg_ctl start failed (exit ${started.status}): ${started.stderr}`);
    return { dir, dataDir, pgCtl, asUser, adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres` };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Synchronous, so an 'exit' handler can call it. */
export function stopThrowawayCluster(cluster: ThrowawayCluster): void {
  const { dir, dataDir, pgCtl, asUser } = cluster;
  if (existsSync(join(dataDir, 'postmaster.pid')))
    spawnSync(pgCtl, ['-D', dataDir, '-m', 'fast', 'stop'], { cwd: dir, ...asUser, stdio: 'ignore', timeout: 30_000 });
  rmSync(dir, { recursive: true, force: true });
}

/** The cluster's postmaster and its children (backends, checkpointer, …); none without a running cluster. */
export function clusterPids(cluster: ThrowawayCluster | undefined): number[] {
  if (!cluster) return [];
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
  } catch {
    return [];
  }
  return [postmaster, ...childPids(postmaster)];
}

/** Creates database `name` on the server of `adminUrl`; its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await adminQuery(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops database `name`, closing its connections; a failure is logged, not thrown (this is cleanup). */
export async function dropDatabase(adminUrl: string, name: string, log: (msg: string) => void): Promise<void> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch((err: unknown) =>
    log(`could not drop ${name}: ${(err as Error).message}`),
  );
}

export async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
