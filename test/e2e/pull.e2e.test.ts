import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PullError, pullModel, resolvePullSource, type PullProgress } from '../../src/providers/local/pull-model.js';
import { startFileServer, type FileServer } from '../support/file-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAME = 'tiny-Q8_0.gguf';

describe('resolvePullSource', () => {
  it("should map hf: URIs to the hub's resolve URL, with a revision", () => {
    assert.deepEqual(resolvePullSource('hf:owner/repo/file.gguf'), {
      url: 'https://huggingface.co/owner/repo/resolve/main/file.gguf',
      fileName: 'file.gguf',
    });
    assert.deepEqual(resolvePullSource('hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/sub dir/q4.gguf#v1.0', 'http://127.0.0.1:9/'), {
      url: 'http://127.0.0.1:9/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/v1.0/sub%20dir/q4.gguf',
      fileName: 'q4.gguf',
    });
  });

  it('should take http(s) URLs as they are, named after their last path segment', () => {
    assert.deepEqual(resolvePullSource('https://example.com/models/a%20b.gguf?download=1'), {
      url: 'https://example.com/models/a%20b.gguf?download=1',
      fileName: 'a b.gguf',
    });
  });

  it('should refuse what it cannot fetch', () => {
    for (const bad of ['hf:owner/file.gguf', 'hf:owner/repo/readme.md', 'ftp://host/x.gguf', 'model.gguf'])
      assert.throws(() => resolvePullSource(bad), PullError, bad);
  });
});

describe('pullModel', () => {
  const content = randomBytes(3 * 1024 * 1024 + 123);
  let server: FileServer;
  let dir: string;

  before(async () => {
    server = await startFileServer({ name: NAME, content });
  });
  after(() => server.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-pull-'));
    server.requests.length = 0;
    server.ignoreRange = false;
    server.reportedSha256 = server.sha256;
  });

  it('should download a URL, report progress and check the sha256 asked for', async () => {
    const progress: PullProgress[] = [];
    const result = await pullModel({
      source: `${server.url}/files/${NAME}`,
      dir,
      sha256: server.sha256.toUpperCase(),
      onProgress: (p) => progress.push(p),
    });
    assert.deepEqual(readFileSync(join(dir, NAME)), content);
    assert.deepEqual([result.path, result.sha256, result.bytes, result.alreadyPresent], [join(dir, NAME), server.sha256, content.length, false]);
    assert.equal(existsSync(join(dir, `${NAME}.partial`)), false);
    assert.ok(progress.length > 1);
    assert.deepEqual(progress.at(-1), { received: content.length, total: content.length, resumedFrom: 0 });
  });

  it("should pull an hf: URI through the hub's redirect, verifying its x-linked-etag", async () => {
    const result = await pullModel({ source: `hf:someone/tiny-GGUF/${NAME}`, dir, hfEndpoint: server.url });
    assert.equal(result.sha256, server.sha256);
    assert.deepEqual(server.requests.map((r) => r.path), [`/someone/tiny-GGUF/resolve/main/${NAME}`, `/files/${NAME}`]);
  });

  it('should resume an interrupted download with a Range request', async () => {
    server.cutNextAfter(1024 * 1024);
    await assert.rejects(pullModel({ source: `hf:o/r/${NAME}`, dir, hfEndpoint: server.url }), (err: unknown) => {
      assert.ok(err instanceof PullError);
      assert.match(err.message, /again to resume/);
      return true;
    });
    const kept = statSync(join(dir, `${NAME}.partial`)).size;
    assert.ok(kept > 0 && kept <= 1024 * 1024, `kept ${kept} bytes`);

    const result = await pullModel({ source: `hf:o/r/${NAME}`, dir, hfEndpoint: server.url });
    assert.equal(result.resumedFrom, kept);
    assert.equal(server.requests.at(-1)?.range, `bytes=${kept}-`);
    assert.deepEqual(readFileSync(result.path), content);
    assert.equal(result.sha256, server.sha256);
  });

  it('should start over when the server ignores the Range', async () => {
    server.cutNextAfter(500_000);
    await assert.rejects(pullModel({ source: `${server.url}/files/${NAME}`, dir }), PullError);
    server.ignoreRange = true;
    const result = await pullModel({ source: `${server.url}/files/${NAME}`, dir });
    assert.equal(result.resumedFrom, 0);
    assert.ok(server.requests.at(-1)?.range);
    assert.deepEqual(readFileSync(result.path), content);
  });

  it('should finish a partial file that already holds every byte (416)', async () => {
    writeFileSync(join(dir, `${NAME}.partial`), content);
    const result = await pullModel({ source: `${server.url}/files/${NAME}`, dir, sha256: server.sha256 });
    assert.equal(server.requests.at(-1)?.range, `bytes=${content.length}-`);
    assert.equal(result.resumedFrom, content.length);
    assert.deepEqual(readFileSync(result.path), content);
  });

  it('should remove a download whose sha256 is not the one asked for', async () => {
    await assert.rejects(pullModel({ source: `${server.url}/files/${NAME}`, dir, sha256: 'ab'.repeat(32) }), /sha256 mismatch.*--sha256/);
    assert.equal(existsSync(join(dir, NAME)), false);
    assert.equal(existsSync(join(dir, `${NAME}.partial`)), false);
  });

  it('should refuse a download whose sha256 is not the one the hub reports', async () => {
    server.reportedSha256 = 'cd'.repeat(32);
    await assert.rejects(pullModel({ source: `hf:o/r/${NAME}`, dir, hfEndpoint: server.url }), /the hub reports/);
    assert.equal(existsSync(join(dir, NAME)), false);
  });

  it('should not download a file that is already there', async () => {
    await pullModel({ source: `${server.url}/files/${NAME}`, dir });
    const before = server.requests.length;
    const again = await pullModel({ source: `${server.url}/files/${NAME}`, dir, sha256: server.sha256 });
    assert.equal(again.alreadyPresent, true);
    assert.equal(server.requests.length, before);
  });

  it('should say what the server answered when it is not the file', async () => {
    await assert.rejects(pullModel({ source: `${server.url}/files/other.gguf`, dir }), /answered 404/);
  });
});

describe('switchboard pull (command line)', () => {
  const content = randomBytes(200_000);
  let server: FileServer;
  let dataDir: string;
  before(async () => {
    server = await startFileServer({ name: NAME, content });
    dataDir = mkdtempSync(join(tmpdir(), 'sb-pull-cli-'));
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function pull(args: string[]) {
    const child = spawn(process.execPath, ['bin/switchboard.js', 'pull', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', SWITCHBOARD_DATA_DIR: dataDir, HF_ENDPOINT: server.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  }

  it('should save an hf: model into <data dir>/models and say how to serve it', async () => {
    const { code, stdout, stderr } = await pull([`hf:owner/repo/${NAME}`, '--sha256', server.sha256]);
    assert.equal(code, 0, stderr);
    const saved = join(dataDir, 'models', NAME);
    assert.deepEqual(readFileSync(saved), content);
    assert.match(stdout, new RegExp(`downloaded: ${saved}`));
    assert.match(stdout, /SWITCHBOARD_LOCAL_MODEL=/);
    assert.match(stderr, /100%/);
  });

  it('should exit 1 with the reason on a checksum mismatch, and 2 on bad usage', async () => {
    const mismatch = await pull([`${server.url}/files/${NAME}`, '--dir', join(dataDir, 'other'), '--sha256', '0'.repeat(64)]);
    assert.equal(mismatch.code, 1);
    assert.match(mismatch.stderr, /sha256 mismatch/);
    assert.equal((await pull([])).code, 2);
  });
});
