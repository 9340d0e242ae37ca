import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

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
    });
  });
}
