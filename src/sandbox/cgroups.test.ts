import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroups } from './cgroups.js';

/** A cgroup file system laid out as plain files (the kernel's files are written the same way). */
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'sb-cgroup-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const limits = { memoryBytes: 256 * 2 ** 20, maxProcesses: 32 };

describe('detectCgroups', () => {
  it('should use a cgroup v2 group that has the memory and pids controllers', async () => {
    const root = fakeRoot({ 'cgroup.controllers': 'cpu memory pids', 'svc/cgroup.controllers': 'memory pids', 'svc/cgroup.procs': '' });
    try {
      const limiter = await detectCgroups({ root, self: '0::/svc\n', pid: 4242 }, 'tok');
      assert.equal(limiter.kind, 'cgroup2');
      assert.equal(readFileSync(join(root, 'svc/cgroup.subtree_control'), 'utf8'), '+memory +pids');
      const parent = join(root, 'svc/switchboard-sandbox-4242-tok');
      assert.equal(limiter.detail, parent);
      const group = await limiter.create('s-1', limits);
      await group!.add([10, 11]);
      assert.equal(readFileSync(join(parent, 's-1/memory.max'), 'utf8'), String(limits.memoryBytes));
      assert.equal(readFileSync(join(parent, 's-1/memory.swap.max'), 'utf8'), '0');
      assert.equal(readFileSync(join(parent, 's-1/pids.max'), 'utf8'), '32');
      assert.equal(readFileSync(join(parent, 's-1/cgroup.procs'), 'utf8'), '11', 'each pid is written on its own');
      writeFileSync(join(parent, 's-1/memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
      assert.equal(group!.oomKills(), 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('should fall back to the v1 memory and pids hierarchies when v2 has no controllers', async () => {
    const root = fakeRoot({ 'unified/cgroup.controllers': '', 'memory/box/memory.limit_in_bytes': '', 'pids/pids.max': '' });
    try {
      const self = '9:pids:/\n4:memory:/box\n0::/\n';
      const limiter = await detectCgroups({ root, self, pid: 4242 }, 'tok');
      assert.equal(limiter.kind, 'cgroup1');
      const group = await limiter.create('s-1', limits);
      await group!.add([10]);
      assert.equal(readFileSync(join(root, 'memory/box/switchboard-sandbox-4242-tok/s-1/memory.limit_in_bytes'), 'utf8'), String(limits.memoryBytes));
      assert.equal(readFileSync(join(root, 'pids/switchboard-sandbox-4242-tok/s-1/pids.max'), 'utf8'), '32');
      assert.equal(readFileSync(join(root, 'pids/switchboard-sandbox-4242-tok/s-1/cgroup.procs'), 'utf8'), '10');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('should say why when neither is usable', async () => {
    const root = fakeRoot({ 'unified/cgroup.controllers': 'cpu' });
    try {
      const limiter = await detectCgroups({ root, self: '4:memory:/\n0::/\n', pid: 4242 }, 'tok');
      assert.equal(limiter.kind, 'none');
      assert.match(limiter.detail, /memory and pids controllers are not available in .*unified/);
      assert.match(limiter.detail, /cgroup v1: no memory and pids hierarchies/);
      assert.equal(await limiter.create('s-1', limits), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
