import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PullError, pullModel } from '../../src/providers/local/pull-model.js';
import { runServerExpectingFailure, spawnServer } from '../support/spawn-server.js';
import { startCloseDelimitedServer, startPythonHttpServer, type StaticServer } from '../support/static-servers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAME = 'static-Q4.gguf';

/** No "    at …" frame and no more than one line. */
function assertOneLine(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, stderr);
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
}

async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['bin/switchboard.js', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('pulling from plain static file servers', () => {
  // Several MB: far more than undici's 64 KiB body buffer, so a reader slower than loopback falls behind.
  const content = randomBytes(8 * 1024 * 1024 + 77);
  let served: string;
  let dir: string;
  before(() => {
    served = mkdtempSync(join(tmpdir(), 'sb-static-'));
    writeFileSync(join(served, NAME), content);
  });
  after(() => rmSync(served, { recursive: true, force: true }));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-pull-static-'));
  });

  it('should download from python3 -m http.server (HTTP/1.0, connection closed after the body)', async () => {
    const server = await startPythonHttpServer(served);
    try {
      for (let i = 0; i < 3; i++) {
        const result = await pullModel({ source: `${server.url}/${NAME}`, dir: join(dir, String(i)) });
        assert.deepEqual(readFileSync(result.path), content);
      }
    } finally {
      await server.close();
    }
  });

  it('should download a body that has no length and ends when the server closes', async () => {
    const server: StaticServer = await startCloseDelimitedServer(content);
    try {
      const result = await pullModel({ source: `${server.url}/${NAME}`, dir });
      assert.deepEqual(readFileSync(result.path), content);
      assert.deepEqual(readdirSync(dir), [NAME]);
    } finally {
      await server.close();
    }
  });

  it('should download through the command line and exit 0', async () => {
    const server = await startPythonHttpServer(served);
    try {
      const { code, stderr } = await runCli(['pull', `${server.url}/${NAME}`, '--dir', dir]);
      assert.equal(code, 0, stderr);
      assert.deepEqual(readdirSync(dir), [NAME]);
    } finally {
      await server.close();
    }
  });
});

describe('command-line failures', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-cli-fail-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should refuse an unreachable host with a PullError naming it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(pullModel({ source: `http://127.0.0.1:${port}/${NAME}`, dir }), (err: unknown) => {
      assert.ok(err instanceof PullError, String(err));
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
      return true;
    });
  });

  it('should say in one line that the host is unreachable, and exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { code, stderr } = await runCli(['pull', `http://127.0.0.1:${port}/${NAME}`, '--dir', join(dir, 'unreachable')]);
    assert.equal(code, 1);
    assertOneLine(stderr);
    assert.match(stderr, /^switchboard pull: .*ECONNREFUSED/);
    assert.equal(existsSync(join(dir, 'unreachable', `${NAME}.partial`)), false);
  });

  it('should say in one line that the port is in use at start, and exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      mkdirSync(join(dir, 'data'), { recursive: true });
      const { code, stderr } = await runServerExpectingFailure({
        PORT: String(port),
        SWITCHBOARD_DATA_DIR: join(dir, 'data'),
        SWITCHBOARD_DATABASE_URL: join(dir, 'data', 'port.db'),
        SWITCHBOARD_LOG_LEVEL: 'silent',
      });
      assert.equal(code, 1);
      assertOneLine(stderr);
      assert.match(stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: it is already in use`));
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

describe('npm start with a YAML config', () => {
  it('should warn at start about a ${VAR} that is not set, naming the variable and the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-unset-var-'));
    const yaml = join(dir, 'switchboard.yaml');
    writeFileSync(yaml, 'providers:\n  openai:\n    base_url: http://127.0.0.1:9/v1\n    api_key: ${SB_TEST_UNSET_KEY}\n');
    const server = await spawnServer({ SWITCHBOARD_CONFIG: yaml, SWITCHBOARD_DATA_DIR: dir, SWITCHBOARD_DATABASE_URL: join(dir, 'unset.db') });
    try {
      const warning = server.logs.find((l) => l.variable === 'SB_TEST_UNSET_KEY');
      assert.ok(warning, JSON.stringify(server.logs));
      assert.equal(warning.field, 'providers.openai.api_key');
      assert.match(String(warning.msg), /providers\.openai\.api_key.*\$\{SB_TEST_UNSET_KEY\}.*not set/);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
