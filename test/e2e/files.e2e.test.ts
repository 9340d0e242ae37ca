import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import OpenAI, { toFile } from 'openai';
import { toFile as toFileV4 } from 'openai-v4';
import type { FileCreateParams, FileObject } from 'openai/resources/files';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { rejectsWith } from '../support/api-errors.js';
import { waitFor } from '../support/until.js';
import { sweepExpiredFiles } from '../../src/services/files.service.js';

const MB = 1024 * 1024;
/** These tests look at the data directory's files (temp files, what a delete removes): the local store on both dialects. */
const LOCAL_STORE = { SWITCHBOARD_FILE_STORE: 'local' };

/** Every regular file under the app's file storage, as paths relative to it (temp files under `.tmp/`). */
function storedPaths(app: TestApp): string[] {
  const root = join(app.server.deps.config.dataDir, 'files');
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => relative(root, join(e.parentPath, e.name)))
      .sort();
  } catch {
    return [];
  }
}
const storedIds = (app: TestApp) => storedPaths(app).filter((p) => !p.startsWith('.tmp')).map((p) => p.split(/[\\/]/).at(-1));
const tempFiles = (app: TestApp) => storedPaths(app).filter((p) => p.startsWith('.tmp'));

/** Multipart framing around one file part, with the given fields first. */
function multipartFraming(fields: Record<string, string>, filename: string) {
  const boundary = `----sb${randomBytes(8).toString('hex')}`;
  const head =
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  return { head: Buffer.from(head), tail: Buffer.from(`\r\n--${boundary}--\r\n`), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * What this process (the server runs in it) holds after a full GC: streaming leaves tens of MB of collectable
 * chunks behind, and only memory still held (a buffered upload) should count. `js` is what V8 accounts for (heap,
 * Buffers, other external memory): exact, where rss here moves by ~32 MB steps whatever the server does, so rss
 * only gets a coarser bound. `--expose-gc` set at run time is the usual way to reach gc() from a test.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
function heldMemory(): { rss: number; js: number } {
  // The second pass waits for the first one's sweep of dead ArrayBuffers, which V8 finishes in the background.
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, js: m.heapUsed + m.external };
}
const growth = (from: { rss: number; js: number }) => {
  const now = heldMemory();
  return { rss: now.rss - from.rss, js: now.js - from.js };
};

/** Size of the upload being written to storage (its temp file), 0 when there is none. */
function uploadingBytes(app: TestApp): number {
  const root = join(app.server.deps.config.dataDir, 'files');
  return tempFiles(app).reduce((sum, p) => sum + statSync(join(root, p), { throwIfNoEntry: false })!.size, 0);
}

function request(url: string, opts: http.RequestOptions, body?: (req: http.ClientRequest) => void): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, opts, resolve);
    req.on('error', reject);
    if (body) body(req);
    else req.end();
  });
}

async function readJson(res: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

for (const dialect of testDialects()) {
  describe(`files (${dialect})`, () => {
    let app: TestApp;
    let client: OpenAI;
    let other: OpenAI;
    let theirs: FileObject;
    const auth = { authorization: `Bearer ${TEST_KEYS[0]}` };
    const upload = async (text: string, purpose: FileCreateParams['purpose'] = 'assistants', name = 'a.txt') =>
      client.files.create({ file: await toFile(Buffer.from(text), name), purpose });

    before(async () => {
      app = await createTestApp({ dialect, env: LOCAL_STORE });
      client = app.client(TEST_KEYS[0]);
      other = app.client(TEST_KEYS[1]);
      theirs = await other.files.create({ file: await toFile(Buffer.from('theirs'), 't.txt'), purpose: 'assistants' });
    });
    after(() => app.close());

    it('should upload a file and return the file object, without expires_at or status_details when unset', async () => {
      const before = Math.floor(Date.now() / 1000);
      const f = await upload('hello, files', 'assistants', 'hello.txt');
      assert.match(f.id, /^file-[A-Za-z0-9]{24}$/);
      assert.ok(f.created_at >= before - 1 && f.created_at <= Date.now() / 1000 + 1);
      assert.deepEqual(f as unknown, {
        id: f.id,
        object: 'file',
        bytes: 12,
        created_at: f.created_at,
        filename: 'hello.txt',
        purpose: 'assistants',
        status: 'processed',
      });
      assert.ok(!('expires_at' in f), 'expires_at is an integer in the spec: omitted when unset, never null');
      assert.ok(!('status_details' in f), 'status_details is a string in the spec: omitted when unset, never null');
      assert.deepEqual(await client.files.retrieve(f.id), f as unknown);
      assert.ok(storedIds(app).includes(f.id));
    });

    it('should stream an fs.createReadStream upload and return the same bytes from content', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sb-files-'));
      const bytes = randomBytes(300_000);
      writeFileSync(join(dir, 'data.bin'), bytes);
      const f = await client.files.create({ file: createReadStream(join(dir, 'data.bin')), purpose: 'user_data' });
      assert.equal(f.filename, 'data.bin');
      assert.equal(f.bytes, bytes.length);
      const res = await client.files.content(f.id);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.equal(res.headers.get('content-disposition'), 'attachment; filename="data.bin"');
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes));
      rmSync(dir, { recursive: true, force: true });
    });

    it('should return text content and a UTF-8 content-disposition for a non-ASCII name', async () => {
      const f = await upload('grüße', 'assistants', 'notes é.txt');
      const res = await client.files.content(f.id);
      assert.equal(await res.text(), 'grüße');
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="notes _.txt"; filename*=UTF-8''notes%20%C3%A9.txt`);
    });

    it('should accept purpose before or after the file', async () => {
      for (const purposeFirst of [true, false]) {
        const form = new FormData();
        if (purposeFirst) form.append('purpose', 'vision');
        form.append('file', new Blob(['img']), 'i.png');
        if (!purposeFirst) form.append('purpose', 'vision');
        const res = await fetch(`${app.baseURL}/files`, { method: 'POST', headers: auth, body: form });
        assert.equal(res.status, 200);
        const f = (await res.json()) as FileObject;
        assert.equal(f.purpose, 'vision');
        assert.equal(f.bytes, 3);
      }
    });

    it('should set expires_at from expires_after', async () => {
      const f = await client.files.create({
        file: await toFile(Buffer.from('soon gone'), 'e.txt'),
        purpose: 'batch',
        expires_after: { anchor: 'created_at', seconds: 3600 },
      });
      assert.equal(f.expires_at, f.created_at + 3600);
    });

    it('should work with the 4.x SDK', async () => {
      const v4 = app.clientV4();
      const f = await v4.files.create({ file: await toFileV4(Buffer.from('from v4'), 'v4.txt'), purpose: 'assistants' });
      assert.equal(await (await v4.files.content(f.id)).text(), 'from v4');
      assert.deepEqual(await v4.files.del(f.id), { id: f.id, object: 'file', deleted: true });
    });

    it('should list with a purpose filter, newest first, across pages', async () => {
      const made: string[] = [];
      for (let i = 0; i < 5; i++) made.push((await upload(`fine ${i}`, 'fine-tune', `f${i}.jsonl`)).id);
      const seen: string[] = [];
      for await (const f of client.files.list({ limit: 2, purpose: 'fine-tune' })) seen.push(f.id);
      assert.deepEqual(seen, [...made].reverse());
      const page = await client.files.list({ limit: 2, purpose: 'fine-tune', order: 'asc' });
      assert.deepEqual(page.data.map((f) => f.id), made.slice(0, 2));
      assert.equal(page.has_more, true);
      const next = await client.files.list({ purpose: 'fine-tune', order: 'asc', after: made[3] });
      assert.deepEqual(next.data.map((f) => f.id), made.slice(4));
      assert.equal(next.has_more, false);
      const all = await client.files.list();
      assert.ok(all.data.length > 5 && all.data.every((f) => f.object === 'file'));
      assert.equal(all.has_more, false);
    });

    it('should reject a list limit outside 1..10000', async () => {
      await rejectsWith(client.files.list({ limit: 0 }), { status: 400, param: 'limit', code: 'integer_below_min_value' });
      await rejectsWith(client.files.list({ limit: 10_001 }), { status: 400, param: 'limit', code: 'integer_above_max_value' });
      assert.ok(Array.isArray((await client.files.list({ limit: 10_000 })).data));
    });

    it('should delete a file: 404 afterwards and its bytes gone from disk', async () => {
      const f = await upload('to delete');
      assert.ok(storedIds(app).includes(f.id));
      assert.deepEqual(await client.files.delete(f.id), { id: f.id, object: 'file', deleted: true });
      const gone = { status: 404, param: 'id', code: null, message: `No such File object: ${f.id}` };
      await rejectsWith(client.files.retrieve(f.id), gone);
      await rejectsWith(client.files.content(f.id), gone);
      await rejectsWith(client.files.delete(f.id), gone);
      assert.ok(!storedIds(app).includes(f.id));
    });

    it("should not show a tenant another tenant's file on any route", async () => {
      const gone = { status: 404, param: 'id', message: `No such File object: ${theirs.id}` };
      await rejectsWith(client.files.retrieve(theirs.id), gone);
      await rejectsWith(client.files.content(theirs.id), gone);
      await rejectsWith(client.files.delete(theirs.id), gone);
      const ids: string[] = [];
      for await (const f of client.files.list()) ids.push(f.id);
      assert.ok(!ids.includes(theirs.id));
      await rejectsWith(client.files.list({ after: theirs.id }), { status: 400, param: 'after' });
      assert.equal(await (await other.files.content(theirs.id)).text(), 'theirs');
    });

    it('should reject a bad or missing purpose and a missing file, keeping no bytes', async () => {
      const stored = storedIds(app);
      const file = await toFile(Buffer.from('x'), 'x.txt');
      await rejectsWith(client.files.create({ file, purpose: 'nope' as FileCreateParams['purpose'] }), {
        status: 400,
        param: 'purpose',
        code: 'invalid_value',
        message:
          "Invalid value: 'nope'. Supported values are: 'assistants', 'batch', 'fine-tune', 'vision', 'user_data', and 'evals'.",
      });
      await rejectsWith(client.files.create({ file: await toFile(Buffer.from('x'), 'x.txt') } as FileCreateParams), {
        status: 400,
        param: 'purpose',
        code: 'missing_required_parameter',
      });
      await rejectsWith(client.files.create({ purpose: 'assistants' } as FileCreateParams), {
        status: 400,
        param: 'file',
        code: 'missing_required_parameter',
      });
      await rejectsWith(
        client.files.create({
          file: await toFile(Buffer.from('x'), 'x.txt'),
          purpose: 'batch',
          expires_after: { anchor: 'created_at', seconds: 60 },
        }),
        { status: 400, param: 'expires_after.seconds', code: 'integer_below_min_value' },
      );
      const json = await fetch(`${app.baseURL}/files`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(json.status, 400);
      assert.deepEqual(storedIds(app), stored);
      assert.deepEqual(tempFiles(app), []);
    });

    it('should stream a 50 MB upload and download, holding far less than the file in memory', async () => {
      const size = 50 * MB;
      const sent = 40 * MB;
      const dir = mkdtempSync(join(tmpdir(), 'sb-big-'));
      const path = join(dir, 'big.bin');
      const hash = createHash('sha256');
      const out = createWriteStream(path);
      const block = randomBytes(MB);
      for (let i = 0; i < size / MB; i++) {
        block[0] = i;
        hash.update(block);
        if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((r) => out.end(() => r()));
      const digest = hash.digest('hex');

      // Upload: send 40 MB, wait until the server has written them to storage, measure, send the rest.
      const { head, tail, contentType } = multipartFraming({ purpose: 'assistants' }, 'big.bin');
      let base = heldMemory();
      let upload = { rss: 0, js: 0 };
      const res = await request(
        `${app.baseURL}/files`,
        { method: 'POST', headers: { ...auth, 'content-type': contentType, 'content-length': head.length + size + tail.length } },
        (req) => {
          req.write(head);
          const first = createReadStream(path, { end: sent - 1 });
          first.pipe(req, { end: false });
          first.on('end', async () => {
            await waitFor(() => uploadingBytes(app) >= sent, 'the server to stream the first 40 MB to storage');
            upload = growth(base);
            const rest = createReadStream(path, { start: sent });
            rest.pipe(req, { end: false });
            rest.on('end', () => req.end(tail));
          });
        },
      );
      const f = (await readJson(res)) as unknown as FileObject;
      assert.equal(res.statusCode, 200);
      assert.equal(f.bytes, size);

      // Download: read 10 MB, stop reading (the server must wait on the socket), measure, read the rest.
      base = heldMemory();
      const down = await request(`${app.baseURL}/files/${f.id}/content`, { headers: auth });
      assert.equal(down.headers['content-length'], String(size));
      const got = createHash('sha256');
      let received = 0;
      let download: { rss: number; js: number } | undefined;
      await new Promise<void>((resolve, reject) => {
        down.on('data', (chunk: Buffer) => {
          got.update(chunk);
          received += chunk.length;
          if (received >= 10 * MB && !download) {
            down.pause();
            download = growth(base);
            down.resume();
          }
        });
        down.on('end', resolve).on('error', reject);
      });
      assert.equal(got.digest('hex'), digest);
      const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;
      for (const [what, held] of [['upload', upload], ['download', download!]] as const) {
        assert.ok(held.js < size / 2, `the ${what} held ${mb(held.js)} of heap and Buffers`);
        assert.ok(held.rss < size, `the ${what} grew rss by ${mb(held.rss)}`);
      }
      await client.files.delete(f.id);
      rmSync(dir, { recursive: true, force: true });
    });

    it('should keep no row and no temp file when the client aborts an upload', async () => {
      const stored = storedIds(app);
      const count = async () => (await client.files.list()).data.length;
      const rows = await count();
      const { head, contentType } = multipartFraming({ purpose: 'assistants' }, 'aborted.bin');
      const req = http.request(`${app.baseURL}/files`, {
        method: 'POST',
        headers: { ...auth, 'content-type': contentType, 'content-length': 10 * MB },
      });
      req.on('error', () => {});
      req.write(head);
      req.write(randomBytes(256 * 1024));
      await waitFor(() => tempFiles(app).length > 0, 'the upload to reach storage');
      req.destroy();
      await waitFor(() => tempFiles(app).length === 0, 'the partial upload to be removed');
      assert.deepEqual(storedIds(app), stored);
      assert.equal(await count(), rows);
      assert.equal((await upload('still serving')).bytes, 13);
    });
  });

  describe(`files over a small limit (${dialect})`, () => {
    let app: TestApp;
    let client: OpenAI;
    before(async () => {
      app = await createTestApp({ dialect, env: { ...LOCAL_STORE, SWITCHBOARD_FILE_LIMIT_MB: '0.01' } });
      client = app.client();
    });
    after(() => app.close());

    it('should accept a file at the limit and refuse one byte more with 413, keeping nothing', async () => {
      const limit = app.server.deps.config.fileLimitBytes;
      assert.equal(limit, Math.round(0.01 * MB));
      const ok = await client.files.create({ file: await toFile(Buffer.alloc(limit), 'max.bin'), purpose: 'assistants' });
      assert.equal(ok.bytes, limit);
      const stored = storedIds(app);
      await assert.rejects(
        client.files.create({ file: await toFile(Buffer.alloc(limit + 1), 'big.bin'), purpose: 'assistants' }),
        (err: unknown) => {
          assert.ok(err instanceof OpenAI.APIError);
          assert.equal(err.status, 413);
          assert.equal(err.param, 'file');
          assert.equal(err.code, 'file_too_large');
          return true;
        },
      );
      await assert.rejects(
        client.files.create({ file: await toFile(Buffer.alloc(5 * MB), 'huge.bin'), purpose: 'assistants' }),
        (err: unknown) => err instanceof OpenAI.APIError && err.status === 413,
      );
      assert.deepEqual(storedIds(app), stored);
      assert.deepEqual(tempFiles(app), []);
      assert.deepEqual((await client.files.list()).data.map((f) => f.id), [ok.id]);
    });

    it('should answer 413 mid-body and close the connection, so the rest is never parsed as a request', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const limit = app.server.deps.config.fileLimitBytes;
      const { head, contentType } = multipartFraming({ purpose: 'assistants' }, 'big.bin');
      const headers = { authorization: `Bearer ${TEST_KEYS[0]}` };
      let sending: http.ClientRequest | undefined;
      const res = await request(
        `${app.baseURL}/files`,
        { agent, method: 'POST', headers: { ...headers, 'content-type': contentType, 'content-length': 100 * limit } },
        (req) => {
          sending = req;
          req.write(head);
          req.write(Buffer.alloc(2 * limit));
        },
      );
      const body = await readJson(res);
      assert.equal(res.statusCode, 413);
      assert.equal(res.headers.connection, 'close');
      assert.equal((body.error as { code: string }).code, 'file_too_large');
      sending?.on('error', () => {}).destroy();
      const next = await request(`${app.baseURL}/files`, { agent, headers });
      assert.equal(next.statusCode, 200);
      assert.equal((await readJson(next)).object, 'list');
      assert.deepEqual(tempFiles(app), []);
      agent.destroy();
    });
  });
}

for (const dialect of testDialects()) {
  describe(`file expiry (${dialect})`, () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      app = await createTestApp({ dialect, env: LOCAL_STORE, server: { clock } });
      client = app.client();
    });
    after(() => app.close());

    it('should delete a file once its expires_after has run out, with its place in vector stores', async () => {
      const soon = await client.files.create({
        file: await toFile(Buffer.from('soon gone'), 'soon.txt'),
        purpose: 'assistants',
        expires_after: { anchor: 'created_at', seconds: 3600 },
      });
      const kept = await client.files.create({ file: await toFile(Buffer.from('kept'), 'kept.txt'), purpose: 'assistants' });
      const store = await client.vectorStores.create({ file_ids: [soon.id, kept.id] });

      assert.equal(await sweepExpiredFiles(app.server.deps), 0, 'nothing has expired yet');
      offset += 3601_000;
      assert.equal(await sweepExpiredFiles(app.server.deps), 1);

      await assert.rejects(client.files.retrieve(soon.id), OpenAI.NotFoundError);
      await assert.rejects(client.files.content(soon.id), OpenAI.NotFoundError);
      assert.equal((await client.files.retrieve(kept.id)).id, kept.id);
      const inStore = await client.vectorStores.files.list(store.id);
      assert.deepEqual(inStore.data.map((f) => f.id), [kept.id]);
    });
  });
}
