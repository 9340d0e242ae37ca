// Test runner behind `npm test`:
//   0. install the optional local-inference part (node-llama-cpp) when it is missing: the local-model
//      tests need it, and the typecheck reads its types;
//   1. typecheck (tsc --noEmit, and the web console's own tsc -p console); a type error fails the run;
//      then build the console (scripts/build-console.mjs), which the server and the browser tests serve;
//   2. start a throwaway PostgreSQL cluster (installing the server from Debian packages if
//      needed and possible), or use SWITCHBOARD_TEST_PG_URL if already set;
//   3. install code_interpreter's sandbox (bubblewrap, python3-numpy/pandas/matplotlib) and, for the browser
//      tests (test/browser), Debian's chromium the same way;
//   4. run every src/**/*.test.ts and test/**/*.test.ts under `node --test` with
//      DIALECTS=sqlite,postgres (sqlite only when PostgreSQL is unavailable).
// The cluster is stopped and its directory removed on every exit path.
//
// Extra CLI args go to `node --test` (`npm test -- --test-name-pattern=foo`);
// TEST_FILES="a.test.ts b.test.ts" runs only those files.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole } from './build-console.mjs';
import { install as installLocalPart, isInstalled as localPartInstalled } from './local-install.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isRoot = process.getuid?.() === 0;

const log = (msg) => console.log(`[test] ${msg}`);
const seconds = (start) => `${((performance.now() - start) / 1000).toFixed(1)}s`;

/** The currently running child, so a signal can be forwarded to it. */
let activeChild;
/** Set once a cluster has been started; stopped by the exit handler. */
let cluster;

/** Spawns a command with inherited stdio (unless overridden) and resolves with its exit code. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
    activeChild = child;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      activeChild = undefined;
      resolve(code ?? 128 + (os.constants.signals[signal] ?? 0));
    });
  });
}

/** Absolute path of a command on PATH, or undefined. */
function which(cmd) {
  const result = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Directory holding both initdb and pg_ctl: PATH first, then Debian's versioned dirs, newest first. */
function findPgBinDir() {
  const candidates = [];
  const initdb = which('initdb');
  if (initdb) candidates.push(path.dirname(initdb));
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, 'bin')));
  }
  return candidates.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
}

/** Installs Debian packages (one apt-get update for all of them). */
async function aptInstall(packages) {
  const start = performance.now();
  log(`installing from Debian packages: ${packages.join(' ')}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const ok =
    (await run('apt-get', ['update'], { env })) === 0 &&
    (await run('apt-get', ['install', '-y', ...packages], { env })) === 0;
  log(ok ? `installed in ${seconds(start)}` : `apt-get failed after ${seconds(start)}`);
}

/** code_interpreter's sandbox: bubblewrap, and Debian's Python with numpy, pandas and matplotlib. */
const SANDBOX_PACKAGES = ['bubblewrap', 'python3-numpy', 'python3-pandas', 'python3-matplotlib'];
function sandboxMissing() {
  const missing = [];
  if (!which('bwrap')) missing.push('bubblewrap');
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy, pandas, matplotlib'], { stdio: 'ignore' });
  if (probe.status !== 0) missing.push(...SANDBOX_PACKAGES.slice(1));
  return missing;
}

/** The browser tests' Chromium (test/browser/support/browser.ts launches it from this path). */
const CHROMIUM = '/usr/bin/chromium';
const wantsChromium = (files) => files.some((f) => f.split(path.sep).includes('browser')) && !existsSync(CHROMIUM);

/** What the tests need from Debian and is not there: installed now when we can (root with apt-get). */
async function installSystemPackages(files) {
  const packages = [
    ...(findPgBinDir() || process.env.SWITCHBOARD_TEST_PG_URL ? [] : ['postgresql']),
    ...sandboxMissing(),
    ...(wantsChromium(files) ? ['chromium'] : []),
  ];
  if (packages.length === 0) return;
  if (isRoot && which('apt-get')) await aptInstall(packages);
  const still = sandboxMissing();
  if (still.length)
    console.warn(
      `[test] !!! code_interpreter's sandbox is missing ${still.join(', ')}: its tests will fail. ` +
        `Install them (apt-get install ${SANDBOX_PACKAGES.join(' ')}) or run the tests as root.`,
    );
  if (wantsChromium(files))
    console.warn('[test] !!! chromium is missing: the browser tests will skip. Install it (apt-get install chromium) or run the tests as root.');
}

function warnSqliteOnly() {
  const bar = '!'.repeat(78);
  console.warn(
    [
      '',
      bar,
      '!!! WARNING: PostgreSQL is NOT available — the suite is running on SQLite ONLY.',
      '!!! Reason: initdb/pg_ctl not found on PATH or under /usr/lib/postgresql/*/bin.',
      '!!! Postgres-specific behaviour is UNTESTED in this run. Install the PostgreSQL',
      '!!! server (initdb/pg_ctl), run as root with apt-get, or set SWITCHBOARD_TEST_PG_URL.',
      bar,
      '',
    ].join('\n'),
  );
}

/** uid/gid of a system user, or undefined if it does not exist. */
function userIds(name) {
  const id = (flag) => spawnSync('id', [flag, name], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

/**
 * initdb and postgres refuse to run as root, so as root we run them as the `postgres`
 * system user (created if missing), falling back to `nobody`.
 */
function unprivilegedUser() {
  let user = userIds('postgres');
  if (!user && spawnSync('useradd', ['--system', '--no-create-home', 'postgres'], { stdio: 'ignore' }).status === 0) {
    user = userIds('postgres');
  }
  return user ?? userIds('nobody');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway cluster and returns its admin URL (throws if it fails to start). */
async function startCluster(binDir) {
  const start = performance.now();
  const user = isRoot ? unprivilegedUser() : undefined;
  if (isRoot && !user) throw new Error('running as root and found no unprivileged user to run PostgreSQL as');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  // Everything lives under `dir`, which must belong to whoever runs the server.
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser = { cwd: dir, ...(user && { uid: user.uid, gid: user.gid }) };
  const pgCtl = path.join(binDir, 'pg_ctl');
  cluster = { dir, dataDir, pgCtl, asUser };

  // stdout of initdb and pg_ctl is chatty progress; errors go to stderr (and the server log).
  const quiet = { ...asUser, stdio: ['ignore', 'ignore', 'inherit'] };
  const initdb = await run(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'],
    quiet,
  );
  if (initdb !== 0) throw new Error(`initdb failed (exit ${initdb})`);

  const port = await freePort();
  const serverOpts = [
    `-p ${port}`,
    `-k ${dir}`, // unix socket in our temp dir, not /var/run/postgresql
    '-c listen_addresses=127.0.0.1',
    // Durability is pointless for a throwaway cluster; these make it much faster.
    '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  // -l is required: without it the server inherits pg_ctl's stdout and keeps it open.
  const started = await run(pgCtl, ['-D', dataDir, '-l', logFile, '-o', serverOpts, '-w', 'start'], quiet);
  if (started !== 0) {
    const serverLog = existsSync(logFile) ? spawnSync('tail', ['-n', '30', logFile], { encoding: 'utf8' }).stdout : '';
    throw new Error(`pg_ctl start failed (exit ${started}); server log:\n${serverLog}`);
  }
  log(`postgres ready on :${port} in ${seconds(start)}${user ? ` (running as ${user.name})` : ''}`);
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** Synchronous so it can run from the 'exit' handler. */
function stopCluster() {
  if (!cluster) return;
  const { dir, dataDir, pgCtl, asUser } = cluster;
  cluster = undefined;
  if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
    spawnSync(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop'], { ...asUser, stdio: 'ignore' });
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Sorted *.test.ts files under the given repo-relative directories. */
function findTestFiles(dirs) {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) files.push(path.relative(root, full));
    }
  };
  for (const dir of dirs) if (existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return files.sort();
}

/** PostgreSQL admin URL for the tests, or undefined if no server binaries are available. */
async function providePostgres() {
  if (process.env.SWITCHBOARD_TEST_PG_URL) {
    log('using PostgreSQL from SWITCHBOARD_TEST_PG_URL');
    return process.env.SWITCHBOARD_TEST_PG_URL;
  }
  const binDir = findPgBinDir();
  return binDir && startCluster(binDir);
}

async function main() {
  let start = performance.now();
  if (!localPartInstalled()) {
    log('the optional local-inference part (node-llama-cpp) is missing; installing it…');
    if (!installLocalPart(log)) {
      log('could not install the local-inference part (npm run local:install); the local-model tests need it');
      return 1;
    }
  }
  // SKIP_TYPECHECK=1 is for quick local runs of a few files; CI and `npm test` always type-check.
  if (process.env.SKIP_TYPECHECK !== '1' || process.env.CI) {
    let typecheck = await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
    if (typecheck === 0) typecheck = await run('npx', ['tsc', '--noEmit', '-p', 'console']);
    if (typecheck !== 0) {
      log(`typecheck FAILED in ${seconds(start)}`);
      return typecheck;
    }
    log(`typecheck ${seconds(start)}`);
  }

  const files = process.env.TEST_FILES?.split(/\s+/).filter(Boolean) ?? findTestFiles(['src', 'test']);
  if (files.length === 0) {
    log('no test files found');
    return 1;
  }

  await buildConsole();
  await installSystemPackages(files);
  const pgUrl = await providePostgres();
  if (!pgUrl) warnSqliteOnly();
  const env = {
    ...process.env,
    DIALECTS: pgUrl ? 'sqlite,postgres' : 'sqlite',
    ...(pgUrl && { SWITCHBOARD_TEST_PG_URL: pgUrl }),
  };

  // Node's default concurrency is cores-1, i.e. serial on 2 cores; test files mostly wait on I/O.
  const concurrency = Math.max(2, os.availableParallelism() - 1);
  start = performance.now();
  log(`running ${files.length} test file(s) with DIALECTS=${env.DIALECTS}`);
  const code = await run(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...process.argv.slice(2), ...files],
    { env },
  );
  log(`tests ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds(start)}`);
  if (!pgUrl) warnSqliteOnly(); // again, as the test output has scrolled the first one away
  return code;
}

process.on('exit', stopCluster);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    activeChild?.kill(signal);
    process.exit(128 + os.constants.signals[signal]); // the 'exit' handler cleans up
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[test] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
