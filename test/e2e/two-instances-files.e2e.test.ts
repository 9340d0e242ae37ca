import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { toFile } from 'openai';
import { chatChunks } from '../fakes/chunks.js';
import { startFakeS3, type FakeS3 } from '../fakes/fake-s3.js';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { createTestDatabaseUrl, testDialects } from '../support/databases.js';
import { probeSandbox } from '../../src/sandbox/bwrap.js';

const MB = 1024 * 1024;
const CHAT = '/v1/chat/completions';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Regular files under an instance's data directory `files/` (the local store): none when bytes are in the database. */
function localFiles(app: TestApp): string[] {
  try {
    return readdirSync(join(app.server.deps.config.dataDir, 'files'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

const callCode = (id: string, code: string) => ({
  type: 'sse' as const,
  chunks: chatChunks({ toolCalls: [{ id, name: 'code_interpreter', arguments: JSON.stringify({ code }) }], usage: {} }),
});
const answer = (content: string) => ({ type: 'sse' as const, chunks: chatChunks({ content, usage: {} }) });

/** What the model got back for each tool call of the last model request. */
function toolResults(fake: FakeUpstream): string[] {
  const last = fake.calls.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
  return last.messages.filter((m) => m.role === 'tool').map((m) => m.content);
}

// Several instances share one database only on PostgreSQL.
if (testDialects().includes('postgres')) {
  describe('two instances on one PostgreSQL database: files', () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let a: TestApp;
    let b: TestApp;

    before(async () => {
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl('postgres');
      const env = { SWITCHBOARD_UPSTREAM_URL: fake.url };
      a = await createTestApp({ databaseUrl: db.url, env });
      b = await createTestApp({ databaseUrl: db.url, env });
    });
    after(async () => {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
      await fake.close();
    });

    it('should download on B the bytes uploaded on A, stored in the database in 1 MiB chunks', async () => {
      const bytes = randomBytes(3 * MB + 4321);
      const file = await a.client().files.create({ file: await toFile(bytes, 'big.bin'), purpose: 'assistants' });
      const got = Buffer.from(await (await b.client().files.content(file.id)).arrayBuffer());
      assert.equal(got.length, bytes.length);
      assert.equal(sha(got), sha(bytes));
      const chunks = await a.server.deps.store.db.selectFrom('file_blobs').select(['n']).where('key', '=', file.id).orderBy('n').execute();
      assert.deepEqual(chunks.map((c) => c.n), [0, 1, 2, 3]);
      assert.deepEqual(localFiles(a), [], "nothing on A's disk");

      await b.client().files.delete(file.id);
      const left = await a.server.deps.store.db.selectFrom('file_blobs').select('n').where('key', '=', file.id).execute();
      assert.deepEqual(left, [], 'a delete on B removes every chunk');
    });

    it('should ingest and search on B a file uploaded on A', async () => {
      const text = 'Zorblax paints the harbour doors teal every spring.\n\nThe bakery opens at six and sells rye bread.';
      const file = await a.client().files.create({ file: await toFile(Buffer.from(text), 'facts.txt'), purpose: 'assistants' });
      const client = b.client();
      const vs = await client.vectorStores.create({ name: 'shared' });
      const added = await client.vectorStores.files.createAndPoll(vs.id, { file_id: file.id });
      assert.equal(added.status, 'completed', JSON.stringify(added.last_error));
      const page = await client.vectorStores.search(vs.id, { query: 'What colour are the harbour doors?' });
      assert.equal(page.data[0]?.file_id, file.id);
      assert.match(page.data[0]!.content.map((c) => c.text).join(' '), /teal/);
    });
  });

  describe('two instances on one PostgreSQL database: files in an S3-compatible bucket', () => {
    let s3: FakeS3;
    let db: { url: string; drop(): Promise<void> };
    let a: TestApp;
    let b: TestApp;
    // The AWS SDK reads region and credentials from the process environment, as it would in production.
    const AWS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test-key', AWS_SECRET_ACCESS_KEY: 'test-secret' };
    const saved = Object.fromEntries(Object.keys(AWS).map((k) => [k, process.env[k]]));

    before(async () => {
      Object.assign(process.env, AWS);
      s3 = await startFakeS3();
      db = await createTestDatabaseUrl('postgres');
      const env = { SWITCHBOARD_FILE_STORE: 's3://sb-files/shared', SWITCHBOARD_S3_ENDPOINT: s3.url };
      a = await createTestApp({ databaseUrl: db.url, env });
      b = await createTestApp({ databaseUrl: db.url, env });
    });
    after(async () => {
      await Promise.all([a.stop(), b.stop()]);
      await db.drop();
      await s3.close();
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    });

    it('should put an upload on A into the bucket as a multipart upload and download it on B', async () => {
      const bytes = randomBytes(6 * MB + 99);
      const file = await a.client().files.create({ file: await toFile(bytes, 'big.bin'), purpose: 'assistants' });
      assert.equal(sha(s3.objects.get(`sb-files/shared/${file.id}`) ?? Buffer.alloc(0)), sha(bytes));
      assert.ok(s3.calls.some((c) => c.method === 'POST' && 'uploads' in c.query && c.path === `/sb-files/shared/${file.id}`), 'multipart');
      assert.match(String(s3.calls[0]?.headers.authorization), /Credential=test-key\//, 'signed with the environment credentials');
      const got = Buffer.from(await (await b.client().files.content(file.id)).arrayBuffer());
      assert.equal(sha(got), sha(bytes));
      const blobs = await a.server.deps.store.db.selectFrom('file_blobs').select('n').execute();
      assert.deepEqual(blobs, [], 'nothing in the database');
      await b.client().files.delete(file.id);
      assert.equal(s3.objects.has(`sb-files/shared/${file.id}`), false);
    });
  });

  describe('two instances on one PostgreSQL database: a code_interpreter session that moves', () => {
    let fake: FakeUpstream;
    let db: { url: string; drop(): Promise<void> };
    let uploader: TestApp;
    let skip: string | false = false;

    before(async () => {
      const probe = await probeSandbox({ bwrap: 'bwrap', python: '/usr/bin/python3' });
      if (!probe.ok) skip = `code_interpreter's sandbox is unavailable here (${probe.reason})`;
      fake = await startFakeUpstream();
      db = await createTestDatabaseUrl('postgres');
      // Runs no runs: its uploads are read by the instances that do.
      uploader = await createTestApp({ databaseUrl: db.url, env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, server: { worker: { concurrency: 0 } } });
    });
    after(async () => {
      await uploader.stop();
      await db.drop();
      await fake.close();
    });

    it("should read on A a file uploaded elsewhere, and give B's session the file A's session wrote", async (t) => {
      if (skip) return t.skip(skip);
      const env = { SWITCHBOARD_UPSTREAM_URL: fake.url };
      const csv = 'region,units\nnorth,120\nsouth,80\n';
      const sales = await uploader.client().files.create({ file: await toFile(Buffer.from(csv), 'sales.csv'), purpose: 'assistants' });
      const assistant = await uploader.client().beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
        tool_resources: { code_interpreter: { file_ids: [sales.id] } },
      });
      const thread = await uploader.client().beta.threads.create({ messages: [{ role: 'user', content: 'Sum it and keep a note.' }] });

      const a = await createTestApp({ databaseUrl: db.url, env });
      try {
        fake.enqueue(
          CHAT,
          callCode('call_a', "import pandas as pd\nt = int(pd.read_csv('/mnt/data/sales.csv').units.sum())\nimport os\nos.makedirs('notes', exist_ok=True)\nopen('notes/total.txt', 'w').write(f'total={t}')\nprint(t)"),
          answer('200.'),
        );
        const run = await a.client().beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
        assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
        assert.match(toolResults(fake)[0]!, /^200\n[\s\S]*sandbox:\/mnt\/data\/notes\/total\.txt/);
      } finally {
        await a.stop();
      }

      // A is gone (its sandbox and its /mnt/data with it): the thread's next run lands on B.
      const b = await createTestApp({ databaseUrl: db.url, env });
      try {
        fake.reset();
        fake.enqueue(
          CHAT,
          callCode('call_b', "print(open('/mnt/data/notes/total.txt').read(), open('sales.csv').read().count('\\n'))\nprint('t' in dir())"),
          answer('Still 200.'),
        );
        await b.client().beta.threads.messages.create(thread.id, { role: 'user', content: 'What was the total?' });
        const run = await b.client().beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
        assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
        // The files came along; the Python variables did not.
        assert.equal(toolResults(fake).at(-1), 'total=200 3\nFalse\n');
      } finally {
        await b.stop();
      }
    });
  });
}
