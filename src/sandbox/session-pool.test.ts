import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { inputFileNames, processLimit, safeFileName, SessionPool, type SandboxConfig } from './session-pool.js';
import { readSessionFile } from './session-files.js';
import { cmdline, descendants } from './process-tree.js';

function config(overrides: Partial<SandboxConfig> = {}): SandboxConfig {
  return { ...loadConfig({}).codeInterpreter, callTimeoutMs: 5000, ...overrides };
}

describe('inputFileNames', () => {
  it('should keep file names, and add the file id to a later file of the same name', () => {
    const names = inputFileNames([
      { fileId: 'file-a', filename: 'data.csv' },
      { fileId: 'file-b', filename: 'data.csv' },
      { fileId: 'file-a', filename: 'data.csv' },
      { fileId: 'file-c', filename: '../../etc/passwd' },
      { fileId: 'file-d', filename: '.hidden\u0000' },
      { fileId: 'file-e', filename: '...' },
    ]);
    assert.deepEqual([...names], [
      ['file-a', 'data.csv'],
      ['file-b', 'data-file-b.csv'],
      ['file-c', 'passwd'],
      ['file-d', 'hidden'],
      ['file-e', 'file-e'],
    ]);
    assert.equal(safeFileName('a\\b\\c.txt', 'x'), 'c.txt');
  });
});

describe('SessionPool (bubblewrap)', () => {
  let now = 1_000_000;
  let pool: SessionPool;
  const outside = mkdtempSync(join(tmpdir(), 'sb-outside-'));
  const victim = join(outside, 'victim.txt');

  before(async () => {
    writeFileSync(victim, 'untouched');
    pool = new SessionPool(config({ maxSessions: 2, idleTimeoutMs: 60_000, queueTimeoutMs: 0 }), {
      now: () => now,
      log: createLogger('silent'),
    });
    await pool.start();
    assert.ok(pool.available, pool.unavailableReason);
  });
  after(async () => {
    await pool.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('should keep variables per key, end idle sessions, and evict the least recently used one past the cap', async () => {
    await pool.exec('a', 'x = "A"', { inputs: [] });
    now += 1000;
    await pool.exec('b', 'x = "B"', { inputs: [] });
    now += 1000;
    assert.equal((await pool.exec('a', 'print(x)', { inputs: [] })).output, 'A\n');
    now += 1000;
    // A third thread takes the slot of b, the least recently used.
    assert.equal((await pool.exec('c', 'x = "C"; print(x)', { inputs: [] })).output, 'C\n');
    assert.equal(pool.size, 2);
    assert.match((await pool.exec('b', 'print(x)', { inputs: [] })).output, /NameError/);
    now += 61_000;
    pool.reap();
    assert.equal(pool.size, 0, 'both idle sessions ended');
    assert.match((await pool.exec('a', 'print(x)', { inputs: [] })).output, /NameError/);
  });

  it('should copy input files in without following links the code planted', async () => {
    const planted = await pool.exec('links', `import os\nos.symlink(${JSON.stringify(victim)}, 'data.csv')\nos.symlink('/etc', 'etcdir')`, { inputs: [] });
    assert.equal(planted.error, null, planted.output);
    const r = await pool.exec('links', "print(open('data.csv').read())", {
      inputs: [{ fileId: 'file-1', name: 'data.csv', read: async () => Buffer.from('a,b\n1,2') }],
    });
    assert.equal(r.output, 'a,b\n1,2\n');
    assert.equal(readFileSync(victim, 'utf8'), 'untouched');
    // Files the code makes are read without following links either.
    const made = await pool.exec('links', `import os\nos.symlink(${JSON.stringify(victim)}, 'leak.txt')\nos.mkfifo('pipe')\nopen('ok.txt', 'w').write('fine')`, { inputs: [] });
    assert.deepEqual(made.files, ['ok.txt']);
    assert.equal(await readSessionFile(made.dir, 'leak.txt', 1000), undefined);
    assert.equal(await readSessionFile(made.dir, 'pipe', 1000), undefined);
    assert.equal(await readSessionFile(made.dir, 'etcdir/hostname', 1000), undefined, 'no walking through a linked directory');
    assert.equal(await readSessionFile(made.dir, '../../etc/hostname', 1000), undefined);
    assert.equal((await readSessionFile(made.dir, 'ok.txt', 1000))?.toString(), 'fine');
    assert.equal(await readSessionFile(made.dir, 'ok.txt', 2), undefined, 'over the size limit');
  });

  it('should replace a session that had to be stopped, keeping its files', async () => {
    await pool.exec('restart', "x = 1\n_ = open('keep.txt', 'w').write('still here')", { inputs: [] });
    const killed = await pool.exec('restart', 'import os, signal\nos.kill(os.getpid(), signal.SIGKILL)', { inputs: [] });
    assert.match(killed.ended ?? '', /killed \(SIGKILL\)/);
    const after = await pool.exec('restart', "print(open('keep.txt').read())\nprint('x' in globals())", { inputs: [] });
    assert.equal(after.fresh, true);
    assert.equal(after.output, 'still here\nFalse\n');
  });

  it('should end every process the code started when its cell ends, even with the runner\'s own cleanup turned off', async () => {
    const stragglers = () => descendants(process.pid).filter((p) => cmdline(p).includes('straggler-'));
    const start = (tag: string) =>
      [
        'import os, subprocess, sys',
        `subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', 'straggler-${tag}-child'])`,
        'if os.fork() == 0:',
        '    os.setsid()',
        `    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', 'straggler-${tag}-orphan'])`,
        '    os._exit(0)',
        'os.wait()',
        "print('started')",
      ].join('\n');
    const plain = await pool.exec('stragglers', start('plain'), { inputs: [] });
    assert.equal(plain.output, 'started\n');
    assert.deepEqual(stragglers().map(cmdline), []);
    // The code runs in the runner's own interpreter and can replace any of its functions.
    const sly = await pool.exec('stragglers', `import sys\nfor name in dir(sys.modules['__main__']):\n    if 'straggler' in name or 'kill' in name:\n        setattr(sys.modules['__main__'], name, lambda *a, **k: None)\n${start('sly')}`, { inputs: [] });
    assert.equal(sly.output, 'started\n');
    assert.equal(sly.ended, undefined);
    assert.deepEqual(stragglers().map(cmdline), []);
    assert.equal((await pool.exec('stragglers', 'print(1)', { inputs: [] })).output, '1\n', 'the session itself lives on');
  });

  it('should refuse writes outside /mnt/data, /tmp and /dev/shm, and stop those two at their size', async () => {
    const MB = 1024 * 1024;
    const small = new SessionPool(config({ prestart: false, limits: { ...config().limits, tmpBytes: 8 * MB } }), { now: () => now, log: createLogger('silent') });
    after(() => small.close());
    const code = [
      'import errno, os',
      "for path in ['/x', '/etc/x', '/dev/x', '/mnt/x', '/tmp/x', '/dev/shm/x', '/mnt/data/x']:",
      '    try:',
      "        with open(path, 'wb') as f:",
      '            for _ in range(9):',
      "                f.write(b'0' * 1024 * 1024)",
      "        print(path, 'written')",
      '    except OSError as e:',
      '        print(path, errno.errorcode[e.errno])',
      '    if os.path.exists(path):',
      '        os.remove(path)',
    ].join('\n');
    const r = await small.exec('fill', code, { inputs: [] });
    assert.equal(
      r.output,
      ['/x EROFS', '/etc/x EROFS', '/dev/x EROFS', '/mnt/x EROFS', '/tmp/x ENOSPC', '/dev/shm/x ENOSPC', '/mnt/data/x written', ''].join('\n'),
    );
  });

  it('should hold all the processes of a session together to its memory limit', async () => {
    const MB = 1024 * 1024;
    const tight = new SessionPool(config({ prestart: false, limits: { ...config().limits, memoryBytes: 128 * MB } }), { now: () => now, log: createLogger('silent') });
    after(() => tight.close());
    // Four processes, each within the per-process limit, try to hold 64 MB each at the same time.
    const code = [
      'import os, time',
      'pids = []',
      'for i in range(4):',
      '    pid = os.fork()',
      '    if pid == 0:',
      "        block = b'x' * (64 * 1024 * 1024)",
      "        open(f'held-{i}', 'w').close()",
      '        deadline = time.monotonic() + 60',
      "        while not os.path.exists('stop') and time.monotonic() < deadline:",
      "            if all(os.path.exists(f'held-{j}') for j in range(4)):",
      '                os._exit(0)',
      '            time.sleep(0.01)',
      '        os._exit(3)',
      '    pids.append(pid)',
      'together = 0',
      'for _ in pids:',
      '    _, status = os.wait()',
      '    if os.WIFSIGNALED(status):',
      "        open('stop', 'w').close()",
      '    together += os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0',
      "print('together', together)",
    ].join('\n');
    const r = await tight.exec('hogs', code, { inputs: [] });
    assert.ok(r.ended !== undefined || /^together [0-3]\n$/.test(r.output), `${r.output} ${r.ended ?? ''}`);
    assert.equal((await tight.exec('hogs', 'print(1)', { inputs: [] })).output, '1\n', 'the session (or a fresh one) serves the next call');
  });

  it('should cancel a running call when the run is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await pool.exec('cancel', 'import time\ntime.sleep(30)', { inputs: [], signal: controller.signal });
    assert.match(r.ended ?? '', /cancelled/);
  });

  it("should give a new thread a sandbox started ahead of its first call", async () => {
    const roomy = new SessionPool(config({ maxSessions: 3 }), { now: () => now, log: createLogger('silent') });
    after(() => roomy.close());
    await roomy.exec('warm-up', 'print(1)', { inputs: [] });
    // The first use starts the spare in the background; wait until it runs.
    await new Promise((r) => setImmediate(r));
    await roomy.prestarted();
    // When the process started, in seconds since boot (field 22 of /proc/self/stat), against the
    // machine's uptime when the call was made: an order of events, not a duration.
    const startedAt = "import os\nprint(int(open('/proc/self/stat').read().rsplit(')', 1)[1].split()[19]) / os.sysconf('SC_CLK_TCK'))";
    const calledAt = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const r = await roomy.exec('new-thread', startedAt, { inputs: [] });
    assert.equal(r.fresh, true);
    assert.ok(Number(r.output) < calledAt, `the session's Python was running before the call (${r.output.trim()} < ${calledAt})`);
  });

  it('should pass output on while the call still runs', async () => {
    // The code prints, then waits for a file the test writes only once it has seen that print.
    const { dir } = await pool.exec('stream', 'pass', { inputs: [] });
    const code = [
      'import os, time',
      "print('first', flush=True)",
      'for _ in range(300):',
      "    if os.path.exists('go'): break",
      '    time.sleep(0.01)',
      "print('second' if os.path.exists('go') else 'never saw go')",
    ].join('\n');
    const r = await pool.exec('stream', code, {
      inputs: [],
      onOutput: (text) => {
        if (text.includes('first')) writeFileSync(join(dir, 'go'), '');
      },
    });
    assert.equal(r.output, 'first\nsecond\n');
  });

  it('should log at start which limits hold: per session with a cgroup, a warning with rlimits only', async () => {
    const lines: Array<{ level: number; msg: string; cgroup: string }> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) });
    for (const cgroups of ['auto', 'off'] as const) {
      const p = new SessionPool(config({ cgroups, prestart: false }), { now: () => now, log });
      await p.start();
      await p.close();
    }
    const limits = lines.filter((l) => l.msg.startsWith('code_interpreter limits'));
    assert.equal(limits.length, 2, JSON.stringify(lines));
    // This host (and CI) runs the tests as root with writable cgroups.
    assert.match(limits[0]!.msg, /1024 MB of memory and 64 processes per session, for all its processes together \(cgroup[12]\)/);
    assert.equal(limits[1]!.level, 40);
    assert.match(limits[1]!.msg, /no control groups \(code_interpreter.cgroups is off\): memory is limited per process only .* a session's processes together can use more/);
  });

  it('should refuse every call when code_interpreter is disabled', async () => {
    const off = new SessionPool(config({ enabled: false }), { now: () => now, log: createLogger('silent') });
    await off.start();
    assert.equal(off.available, false);
    await assert.rejects(off.exec('k', 'print(1)', { inputs: [] }), /disabled in this server's configuration/);
    await off.close();
  });
});

describe('processLimit', () => {
  it('should keep the configured limit for a user of its own, and add the tasks a shared user already runs', async () => {
    assert.equal(await processLimit(64, true), 64);
    const shared = await processLimit(64, false);
    assert.ok(shared > 64 + 1, `this test process alone runs several threads: ${shared}`);
  });
});
