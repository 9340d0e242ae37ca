import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import OpenAI, { toFile } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { until } from '../support/until.js';

const AUTH = { authorization: `Bearer ${TEST_KEYS[0]}` };
const JSON_TYPE = { ...AUTH, 'content-type': 'application/json' };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function send(app: TestApp, method: string, path: string, body?: string, headers: Record<string, string> = AUTH): Promise<Answer> {
  const res = await fetch(`${app.url}${path}`, { method, body, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The answer is `{"error":{message,type,param,code}}` and nothing else, with the given status. */
function assertApiError(a: Answer, status: number, want: { param?: string | null; code?: string | null } = {}): void {
  assert.equal(a.status, status, a.text.slice(0, 500));
  const body = JSON.parse(a.text) as { error: Record<string, unknown> };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof body.error.message, 'string');
  assert.equal(typeof body.error.type, 'string');
  if (want.param !== undefined) assert.equal(body.error.param, want.param, a.text);
  if (want.code !== undefined) assert.equal(body.error.code, want.code, a.text);
}

/** A multipart body: the fields first, then one small text file (when `file` is true). */
function multipart(fields: Array<[string, string]>, file = true): { body: string; contentType: string } {
  const boundary = '----switchboard-test-boundary';
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  if (file) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n`);
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Writes raw bytes on a new connection and returns everything the server sends until it closes the
 * connection (or `ms` pass: then `timedOut` is set).
 */
function rawExchange(app: TestApp, data: string, ms = 10_000, opts: { end?: boolean } = {}): Promise<{ text: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: Number(new URL(app.url).port), host: '127.0.0.1', allowHalfOpen: true });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, timedOut: true });
    }, ms);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    // Half-open so a request can be cut short with end(); the server's end still ends the exchange.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, timedOut: false });
    });
    if (opts.end) socket.end(data);
    else socket.write(data);
  });
}

/** The status line and body of a raw HTTP/1.1 response. */
function parseRaw(text: string): Answer {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const headers = new Headers();
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    headers.append(line.slice(0, i), line.slice(i + 1).trim());
  }
  return { status, headers, text: body };
}

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();

for (const dialect of testDialects()) {
  describe(`hostile input (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    const cleanPrototype = prototypeKeys();

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
    });
    after(async () => {
      await app.close();
      await fake.close();
    });

    /** Object.prototype is untouched, and assistants, chat completions and lists behave as on a fresh server. */
    async function assertNothingLeaked(): Promise<void> {
      assert.deepEqual(prototypeKeys(), cleanPrototype);
      const asst = await client.beta.assistants.create({ model: 'gpt-4o' });
      assert.equal(asst.instructions, null);
      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(completion.object, 'chat.completion');
      const page = await client.beta.assistants.list({ limit: 1 });
      assert.equal(page.data.length, 1);
    }

    describe('prototype keys', () => {
      for (const name of ['__proto__[instructions]', '__proto__[stream]', '__proto__[order]', '__proto__', 'constructor[prototype]', 'prototype[instructions]']) {
        it(`should refuse the multipart field '${name}' on POST /files and leak nothing`, async () => {
          const { body, contentType } = multipart([
            [name, 'pwned'],
            ['purpose', 'assistants'],
          ]);
          assertApiError(await send(app, 'POST', '/v1/files', body, { ...AUTH, 'content-type': contentType }), 400);
          await assertNothingLeaked();
        });
      }

      it('should refuse a JSON body with a __proto__ key, at any depth', async () => {
        for (const body of ['{"model":"gpt-4o","__proto__":{"instructions":"pwned"}}', '{"model":"gpt-4o","metadata":{"__proto__":"x"}}']) {
          assertApiError(await send(app, 'POST', '/v1/assistants', body, JSON_TYPE), 400);
        }
        await assertNothingLeaked();
      });

      it('should refuse a JSON body with constructor.prototype', async () => {
        const body = '{"model":"gpt-4o","tools":[{"type":"function","function":{"name":"f","parameters":{"constructor":{"prototype":{"x":1}}}}}]}';
        assertApiError(await send(app, 'POST', '/v1/assistants', body, JSON_TYPE), 400);
        await assertNothingLeaked();
      });

      it("should keep 'prototype' and 'constructor' as ordinary metadata keys", async () => {
        const metadata = { prototype: 'p', constructor: 'c', toString: 't' };
        const asst = await client.beta.assistants.create({ model: 'gpt-4o', metadata });
        assert.deepEqual((await client.beta.assistants.retrieve(asst.id)).metadata, metadata);
        await assertNothingLeaked();
      });

      it('should keep prototype names as ordinary attribute keys and filter on them as on any key', async () => {
        const vs = await client.vectorStores.create({ name: 'protos' });
        const file = await client.files.create({ file: await toFile(Buffer.from('Penguins live in Antarctica.'), 'p.txt'), purpose: 'assistants' });
        const attributes = { prototype: 'p', constructor: 'c', toString: 't' };
        const attached = await client.vectorStores.files.createAndPoll(vs.id, { file_id: file.id, attributes });
        assert.deepEqual(attached.attributes, attributes);
        const found = (filters: Record<string, unknown>) =>
          client.vectorStores.search(vs.id, { query: 'penguins', filters: filters as never }).then((page) => page.data.length);
        assert.equal(await found({ type: 'eq', key: 'constructor', value: 'c' }), 1);
        assert.equal(await found({ type: 'eq', key: 'valueOf', value: 'c' }), 0);
        assert.equal(await found({ type: 'ne', key: '__proto__', value: 'p' }), 1);
        const refused = await send(app, 'POST', `/v1/vector_stores/${vs.id}/files/${file.id}`, '{"attributes":{"__proto__":{"x":"y"}}}', JSON_TYPE);
        assertApiError(refused, 400, { param: 'attributes.__proto__' });
        await assertNothingLeaked();
      });

      it('should ignore prototype keys in a query string', async () => {
        const q = '__proto__[order]=x&__proto__=y&constructor[prototype][order]=x&prototype=1&limit=1';
        const a = await send(app, 'GET', `/v1/assistants?${q}`);
        assert.equal(a.status, 200, a.text);
        await assertNothingLeaked();
      });
    });

    describe('deeply nested JSON', () => {
      const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

      it('should answer 400 for 10,000 levels in a pass-through chat field', async () => {
        const body = `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"vendor_extra":${deep(10_000)}}`;
        assertApiError(await send(app, 'POST', '/v1/chat/completions', body, JSON_TYPE), 400);
      });

      it("should answer 400 for 10,000 levels in embeddings' encoding_format", async () => {
        const body = `{"model":"text-embedding-3-small","input":"hi","encoding_format":${deep(10_000)}}`;
        assertApiError(await send(app, 'POST', '/v1/embeddings', body, JSON_TYPE), 400);
      });

      it('should still accept a JSON schema nested 40 levels deep', async () => {
        let schema: Record<string, unknown> = { type: 'string' };
        for (let i = 0; i < 20; i++) schema = { type: 'object', properties: { x: schema } };
        const asst = await client.beta.assistants.create({ model: 'gpt-4o', tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] });
        assert.equal(asst.tools.length, 1);
      });
    });

    describe('NUL characters', () => {
      for (const path of ['/v1/assistants/asst_x%00', '/v1/threads/thread_x%00', '/v1/threads/thread_x%00/messages', '/v1/files/file-x%00', '/v1/vector_stores/vs_x%00']) {
        it(`should answer 404 for GET ${path}`, async () => {
          assertApiError(await send(app, 'GET', path), 404);
        });
      }

      it('should answer 404 for a NUL in an id on POST and DELETE', async () => {
        assertApiError(await send(app, 'POST', '/v1/assistants/asst_x%00', '{"name":"n"}', JSON_TYPE), 404);
        assertApiError(await send(app, 'DELETE', '/v1/threads/thread_x%00'), 404);
      });

      const bodies: Array<[string, string, unknown, string]> = [
        ['an assistant name', '/v1/assistants', { model: 'gpt-4o', name: 'a\u0000b' }, 'name'],
        ['a metadata value', '/v1/assistants', { model: 'gpt-4o', metadata: { k: '\u0000' } }, 'metadata.k'],
        ['a metadata key', '/v1/threads', { metadata: { 'k\u0000': 'v' } }, 'metadata'],
        ['a message', '/v1/threads', { messages: [{ role: 'user', content: 'hi\u0000' }] }, 'messages[0].content'],
        ['an id in a body', '/v1/threads/runs', { assistant_id: 'asst_\u0000' }, 'assistant_id'],
        ['a chat message', '/v1/chat/completions', { model: 'gpt-4o', messages: [{ role: 'user', content: '\u0000' }] }, 'messages[0].content'],
      ];
      for (const [what, path, body, param] of bodies) {
        it(`should answer 400 for a NUL in ${what}`, async () => {
          assertApiError(await send(app, 'POST', path, JSON.stringify(body), JSON_TYPE), 400, { param });
        });
      }

      it('should answer 400 for a NUL in a list cursor or filter', async () => {
        assertApiError(await send(app, 'GET', '/v1/assistants?after=asst_%00'), 400, { param: 'after' });
        assertApiError(await send(app, 'GET', '/v1/files?purpose=%00'), 400, { param: 'purpose' });
      });

      it('should answer 400 for a NUL in an uploaded file name', async () => {
        const boundary = 'nul-boundary';
        const body =
          `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a\u0000b.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
        assertApiError(await send(app, 'POST', '/v1/files', body, { ...AUTH, 'content-type': `multipart/form-data; boundary=${boundary}` }), 400, { param: 'file' });
      });
    });

    describe('malformed requests', () => {
      it('should answer 400 for {"messages":[null]} on /assistants/{id}/chat', async () => {
        const asst = await client.beta.assistants.create({ model: 'gpt-4o' });
        const a = await send(app, 'POST', `/v1/assistants/${asst.id}/chat`, '{"messages":[null]}', JSON_TYPE);
        assertApiError(a, 400, { param: 'messages[0]' });
      });

      const form = multipart([['purpose', 'assistants']]);
      const uploads: Array<[string, string, string]> = [
        ['no boundary', form.body, 'multipart/form-data'],
        ['a boundary that is not in the body', form.body, 'multipart/form-data; boundary=not-there'],
        ['a truncated body', form.body.slice(0, form.body.length - 40), form.contentType],
      ];
      for (const [what, body, contentType] of uploads) {
        it(`should answer 400 for a multipart upload with ${what}`, async () => {
          assertApiError(await send(app, 'POST', '/v1/files', body, { ...AUTH, 'content-type': contentType }), 400);
        });
      }

      it('should answer 400 in OpenAI shape for a bad percent-encoding in the path', async () => {
        assertApiError(await send(app, 'GET', '/v1/assistants/%E0%A4%A'), 400);
      });

      it('should answer an over-long path parameter without echoing it', async () => {
        const a = await send(app, 'GET', `/v1/assistants/${'a'.repeat(10_000)}`);
        assert.ok(a.status >= 400 && a.status < 500, a.text.slice(0, 200));
        assertApiError(a, a.status);
        assert.ok(a.text.length < 1000, `${a.text.length} bytes`);
      });

      it('should not echo an over-long unknown path', async () => {
        const a = await send(app, 'GET', `/v1/${'b'.repeat(10_000)}`);
        assertApiError(a, 404);
        assert.ok(a.text.length < 1000, `${a.text.length} bytes`);
      });

      it('should not echo an over-long enum value', async () => {
        const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'x'.repeat(100_000), content: 'hi' }] });
        const a = await send(app, 'POST', '/v1/chat/completions', body, JSON_TYPE);
        assertApiError(a, 400, { param: 'messages[0].role' });
        assert.ok(a.text.length < 3000, `${a.text.length} bytes`);
      });

      it('should answer 400 in OpenAI shape for a badly chunked body', async () => {
        const req =
          'POST /v1/assistants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + TEST_KEYS[0] +
          '\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n';
        const { text, timedOut } = await rawExchange(app, req);
        assert.equal(timedOut, false);
        assertApiError(parseRaw(text), 400);
      });

      it('should answer 400 in OpenAI shape for a body cut short by the client', async () => {
        const req =
          'POST /v1/assistants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + TEST_KEYS[0] +
          '\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"model":';
        const { text, timedOut } = await rawExchange(app, req, 10_000, { end: true });
        assert.equal(timedOut, false);
        assertApiError(parseRaw(text), 400);
      });

      it('should answer 431 in OpenAI shape for oversized headers', async () => {
        const req = `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
        const { text } = await rawExchange(app, req);
        assertApiError(parseRaw(text), 431);
      });
    });
  });
}

describe('slow and closing clients', () => {
  const TIMEOUT_MS = 1000;
  let fake: FakeUpstream;
  let app: TestApp;
  const head = (length: number, type = 'application/json') =>
    `POST /v1/assistants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEYS[0]}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;

  before(async () => {
    fake = await startFakeUpstream();
    app = await createTestApp({ env: { SWITCHBOARD_UPSTREAM_URL: fake.url }, yaml: `body_timeout_ms: ${TIMEOUT_MS}\n` });
  });
  after(async () => {
    await app.close();
    await fake.close();
  });

  it('should answer 408 in OpenAI shape and close the connection when a JSON body stops arriving', async () => {
    const { text, timedOut } = await rawExchange(app, `${head(100)}{"model":`, 20_000);
    assert.equal(timedOut, false, 'the server kept the connection open');
    const a = parseRaw(text);
    assertApiError(a, 408, { code: 'request_timeout' });
    assert.equal(a.headers.get('connection'), 'close');
  });

  it('should drop an upload that stops arriving mid-file, keeping no bytes', async () => {
    const { body, contentType } = multipart([['purpose', 'assistants']]);
    const partial = body.slice(0, body.indexOf('hello') + 3);
    const req = `POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEYS[0]}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n${partial}`;
    const { text, timedOut } = await rawExchange(app, req, 20_000);
    assert.equal(timedOut, false, 'the server kept the connection open');
    assertApiError(parseRaw(text), 408, { code: 'request_timeout' });
    assert.equal((await app.client().files.list()).data.length, 0);
  });

  it('should close the connection when a body stops arriving after an early answer', async () => {
    const req = `${head(100).replace(TEST_KEYS[0], 'sk-wrong-key-0000')}{"model":`;
    const { text, timedOut } = await rawExchange(app, req, 20_000);
    assert.equal(timedOut, false, 'the server kept the connection open');
    assertApiError(parseRaw(text), 401);
  });

  it('should keep a body that arrives slowly but steadily', async () => {
    const body = JSON.stringify({ model: 'gpt-4o', name: 'slow' });
    const socket = net.connect(Number(new URL(app.url).port), '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    const closed = new Promise((r) => socket.on('close', r));
    socket.write(head(body.length));
    // Each byte comes well within the timeout, and all of them take longer than it.
    for (const ch of body) {
      await new Promise((r) => setTimeout(r, TIMEOUT_MS / 10));
      socket.write(ch);
    }
    await until(() => text, (t) => t.includes('"object":"assistant"'), 10_000);
    socket.end();
    await closed;
    assert.equal(parseRaw(text).status, 200, text);
  });

  it("should close a chat completion stream's connection at its end when the client sent Connection: close", async () => {
    const body = JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const req =
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEYS[0]}\r\nContent-Type: application/json\r\n` +
      `Connection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const { text, timedOut } = await rawExchange(app, req, 20_000);
    assert.equal(timedOut, false, 'the server kept the connection open after the stream');
    assert.match(text, /data: \[DONE\]/);
    assert.notEqual(parseRaw(text).headers.get('connection'), 'keep-alive');
  });

  it("should close an assistant run stream's connection at its end when the client sent Connection: close", async () => {
    const client = app.client();
    const asst = await client.beta.assistants.create({ model: 'gpt-4o' });
    const body = JSON.stringify({ assistant_id: asst.id, stream: true, thread: { messages: [{ role: 'user', content: 'Hi' }] } });
    const req =
      `POST /v1/threads/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEYS[0]}\r\nContent-Type: application/json\r\n` +
      `OpenAI-Beta: assistants=v2\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const { text, timedOut } = await rawExchange(app, req, 20_000);
    assert.equal(timedOut, false, 'the server kept the connection open after the stream');
    assert.match(text, /event: done/);
  });
});
