import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { SessionPool } from './session-pool.js';
import { readSessionFile, removeFiles, removeSessionDir, snapshotDir } from './session-files.js';

/**
 * The symlink-swap attack: a thread the code leaves running (it outlives the cell, as threads of the
 * session's own process do) keeps swapping a directory of /mnt/data for a link to a host directory
 * while the server reads, lists and deletes files there after the call.
 */
const swapper = (hostDir: string) =>
  [
    'import os, threading',
    "os.makedirs('d', exist_ok=True)",
    "open('d/secret.txt', 'w').write('inside')",
    'def swap():',
    "    while not os.path.exists('stop'):",
    '        try:',
    "            os.rename('d', 'd_real')",
    `            os.symlink(${JSON.stringify(hostDir)}, 'd')`,
    "            os.unlink('d')",
    "            os.rename('d_real', 'd')",
    '        except OSError:',
    '            pass',
    'threading.Thread(target=swap, daemon=True).start()',
  ].join('\n');

describe('session files under a symlink-swap attack', () => {
  let pool: SessionPool;
  const host = mkdtempSync(join(tmpdir(), 'sb-host-'));
  const secret = join(host, 'secret.txt');
  const victim = join(host, 'victim.txt');

  before(async () => {
    writeFileSync(secret, 'HOST SECRET', { mode: 0o600 });
    writeFileSync(victim, 'must stay', { mode: 0o600 });
    writeFileSync(join(host, 'host-only.txt'), 'x', { mode: 0o600 });
    const cfg = { ...loadConfig({}).codeInterpreter, prestart: false, callTimeoutMs: 5000 };
    pool = new SessionPool(cfg, { now: () => Date.now(), log: createLogger('silent') });
    await pool.start();
    assert.ok(pool.available, pool.unavailableReason);
  });
  after(async () => {
    await pool.close();
    rmSync(host, { recursive: true, force: true });
  });

  it('should never read, list or delete a host file through a swapped directory', async () => {
    const started = await pool.exec('swap', swapper(host), { inputs: [] });
    assert.equal(started.error, null, started.output);
    const seen = new Set<string>();
    const listed = new Set<string>();
    const deadline = Date.now() + 4000;
    for (let i = 0; i < 4000 && Date.now() < deadline; i++) {
      seen.add((await readSessionFile(started.dir, 'd/secret.txt', 1000))?.toString() ?? 'none');
      await removeFiles(started.dir, ['d/victim.txt']);
      if (i % 20 === 0) for (const path of (await snapshotDir(started.dir)).keys()) listed.add(path);
      if (!existsSync(victim)) break;
    }
    writeFileSync(join(started.dir, 'stop'), '');
    assert.ok(!seen.has('HOST SECRET'), 'a host file was read through the link');
    assert.ok(existsSync(victim), 'a host file was deleted through the link');
    assert.ok(!listed.has('d/host-only.txt'), 'a host directory was listed through the link');
    assert.ok(seen.has('inside'), `the attack ran: the file was read while 'd' was a directory (${[...seen].join(', ')})`);
  });
});

describe('removeSessionDir', () => {
  it('should remove a tree deeper than the descriptors it holds at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-deep-'));
    let path = dir;
    for (let i = 0; i < 300; i++) {
      if (i % 100 === 0) writeFileSync(join(path, `f${i}`), 'x');
      path = join(path, 'd');
      mkdirSync(path);
    }
    await removeSessionDir(dir);
    assert.ok(!existsSync(dir), 'the whole tree is gone');
  });
});
