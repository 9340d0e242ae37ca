import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream, controlledStream, fakeEmbedding } from './fake-upstream.js';
import type { FakeUpstream } from './fake-upstream.js';
import { chatChunks, chatCompletion, errorBody, splitContent } from './chunks.js';

/** Parse an SSE body into the list of `data:` payloads. */
function parseSse(text: string): string[] {
  const out: string[] = [];
  for (const event of text.split('\n\n')) {
    if (event.trim() === '') continue;
    const data = event
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    out.push(data);
  }
  return out;
}

async function readStreamUntilError(res: Response): Promise<{ text: string; error: unknown }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, error: undefined };
      text += dec.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

describe('fake upstream', () => {
  let up: FakeUpstream;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    fetch(up.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal,
    });

  before(async () => {
    up = await startFakeUpstream();
  });
  after(async () => {
    await up.close();
  });
  beforeEach(() => up.reset());

  it('exposes url and port', () => {
    assert.match(up.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.ok(up.port > 0);
    assert.equal(up.url, `http://127.0.0.1:${up.port}/v1`);
  });

  it('default non-stream completion', async () => {
    const res = await post('/chat/completions', { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /application\/json/);
    const body = await res.json();
    assert.match(body.id, /^chatcmpl-fake/);
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'gpt-x');
    assert.equal(typeof body.created, 'number');
    assert.equal(body.choices.length, 1);
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(body.choices[0].message.content, 'Hello from the fake upstream.');
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.deepEqual(body.usage, {
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
  });

  it('default completion ids are unique', async () => {
    const a = await (await post('/chat/completions', { model: 'm', messages: [] })).json();
    const b = await (await post('/chat/completions', { model: 'm', messages: [] })).json();
    assert.notEqual(a.id, b.id);
  });

  it('echo: content from the last user message', async () => {
    const res = await post('/chat/completions', {
      model: 'm',
      messages: [
        { role: 'user', content: 'echo:first' },
        { role: 'assistant', content: 'x' },
        { role: 'user', content: 'echo:ping pong' },
      ],
    });
    const body = await res.json();
    assert.equal(body.choices[0].message.content, 'ping pong');
  });

  it('default stream without include_usage', async () => {
    const res = await post('/chat/completions', { model: 'gpt-s', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const events = parseSse(await res.text());
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(chunks.length >= 4);
    for (const c of chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'gpt-s');
      assert.equal(c.id, chunks[0].id);
      assert.ok(!('usage' in c), 'no usage field without include_usage');
      assert.equal(c.choices.length, 1);
    }
    assert.match(chunks[0].id, /^chatcmpl-fake/);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    assert.equal(chunks[0].choices[0].delta.content, '');
    const last = chunks.at(-1);
    assert.equal(last.choices[0].finish_reason, 'stop');
    assert.deepEqual(last.choices[0].delta, {});
    const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
    assert.equal(text, 'Hello from the fake upstream.');
    const contentPieces = chunks.filter((c) => c.choices[0].delta.content);
    assert.ok(contentPieces.length >= 3 && contentPieces.length <= 5);
  });

  it('default stream with include_usage', async () => {
    const res = await post('/chat/completions', {
      model: 'gpt-s',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'echo:a b c d e f g h' }],
    });
    const events = parseSse(await res.text());
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk.choices, []);
    assert.deepEqual(usageChunk.usage, {
      prompt_tokens: 10,
      completion_tokens: 7,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    for (const c of chunks.slice(0, -1)) {
      assert.equal(c.usage, null);
      assert.equal(c.choices.length, 1);
    }
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'stop');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, 'a b c d e f g h');
  });

  it('default /v1/models', async () => {
    const res = await fetch(up.url + '/models');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.object, 'list');
    assert.deepEqual(
      body.data.map((m: { id: string }) => m.id),
      ['fake-model', 'fake-model-2'],
    );
    assert.deepEqual(body.data[0], { id: 'fake-model', object: 'model', created: 1700000000, owned_by: 'fake' });
  });

  it('default /v1/embeddings (float and base64)', async () => {
    const res = await post('/embeddings', { model: 'emb', input: ['alpha', 'beta'] });
    const body = await res.json();
    assert.equal(body.object, 'list');
    assert.equal(body.model, 'emb');
    assert.equal(body.data.length, 2);
    assert.equal(body.data[1].index, 1);
    assert.equal(body.data[0].object, 'embedding');
    assert.equal(body.data[0].embedding.length, 8);
    assert.deepEqual(body.data[0].embedding, fakeEmbedding('alpha'));
    assert.notDeepEqual(body.data[0].embedding, body.data[1].embedding);
    assert.ok(body.usage.prompt_tokens > 0);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens);

    const again = await (await post('/embeddings', { model: 'emb', input: 'alpha' })).json();
    assert.deepEqual(again.data[0].embedding, body.data[0].embedding, 'deterministic');

    const b64 = await (await post('/embeddings', { model: 'emb', input: 'alpha', encoding_format: 'base64' })).json();
    const buf = Buffer.from(b64.data[0].embedding, 'base64');
    const floats = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4));
    assert.deepEqual(floats, fakeEmbedding('alpha'));
  });

  it('unknown path → 404 OpenAI error', async () => {
    const res = await fetch(up.url + '/nope?x=1', { method: 'DELETE' });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      error: { message: 'Invalid URL (DELETE /v1/nope)', type: 'invalid_request_error', param: null, code: null },
    });
  });

  it('scripted json (status, headers, FIFO then default)', async () => {
    up.enqueue(
      '/v1/chat/completions',
      { type: 'json', status: 201, body: chatCompletion({ content: 'one', model: 'x' }), headers: { 'X-Custom': 'yes' } },
      { type: 'json', body: { custom: 2 }, delayMs: 20 },
    );
    const r1 = await post('/chat/completions', { model: 'm', messages: [] });
    assert.equal(r1.status, 201);
    assert.equal(r1.headers.get('x-custom'), 'yes');
    assert.equal((await r1.json()).choices[0].message.content, 'one');
    const t0 = Date.now();
    const r2 = await post('/chat/completions', { model: 'm', messages: [] });
    assert.deepEqual(await r2.json(), { custom: 2 });
    assert.ok(Date.now() - t0 >= 15);
    const r3 = await post('/chat/completions', { model: 'm', messages: [] });
    assert.equal((await r3.json()).choices[0].message.content, 'Hello from the fake upstream.');
  });

  it('queues are per path', async () => {
    up.enqueue('/v1/models', { type: 'json', body: { object: 'list', data: [] } });
    const chat = await (await post('/chat/completions', { model: 'm', messages: [] })).json();
    assert.equal(chat.object, 'chat.completion');
    const models = await (await fetch(up.url + '/models')).json();
    assert.deepEqual(models, { object: 'list', data: [] });
  });

  it('scripted sse (objects and verbatim strings, done:false)', async () => {
    const chunks = chatChunks({ content: ['a', 'b'], model: 'mm' });
    up.enqueue(
      '/v1/chat/completions',
      { type: 'sse', chunks: [...chunks, '{"raw":true}'] },
      { type: 'sse', chunks: ['x'], done: false, delayMs: 5 },
    );
    const res = await post('/chat/completions', { model: 'm', stream: true, messages: [] });
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const events = parseSse(await res.text());
    assert.equal(events.length, chunks.length + 2);
    assert.deepEqual(JSON.parse(events[0]!), chunks[0]);
    assert.equal(events.at(-2), '{"raw":true}');
    assert.equal(events.at(-1), '[DONE]');

    const res2 = await post('/chat/completions', { model: 'm', stream: true, messages: [] });
    assert.deepEqual(parseSse(await res2.text()), ['x']);
  });

  it('scripted error (default body and custom body)', async () => {
    up.enqueue(
      '/v1/chat/completions',
      { type: 'error', status: 429 },
      { type: 'error', status: 400, body: errorBody('bad thing', 'invalid_request_error', 'bad', 'messages') },
      { type: 'error', status: 503 },
    );
    const r1 = await post('/chat/completions', {});
    assert.equal(r1.status, 429);
    const b1 = await r1.json();
    assert.equal(b1.error.type, 'requests');
    assert.equal(b1.error.code, 'rate_limit_exceeded');
    assert.equal(typeof b1.error.message, 'string');
    assert.equal(b1.error.param, null);

    const r2 = await post('/chat/completions', {});
    assert.equal(r2.status, 400);
    assert.deepEqual(await r2.json(), {
      error: { message: 'bad thing', type: 'invalid_request_error', param: 'messages', code: 'bad' },
    });

    const r3 = await post('/chat/completions', {});
    assert.equal(r3.status, 503);
    assert.equal((await r3.json()).error.type, 'server_error');
  });

  it('sse breakAfter closes the connection without [DONE]', async () => {
    const chunks = chatChunks({ content: ['a', 'b', 'c', 'd'] });
    up.enqueue('/v1/chat/completions', { type: 'sse', chunks, breakAfter: 2 });
    const res = await post('/chat/completions', { model: 'm', stream: true, messages: [] });
    assert.equal(res.status, 200);
    const { text, error } = await readStreamUntilError(res);
    assert.ok(error, 'body stream should error (connection destroyed)');
    const events = parseSse(text);
    assert.equal(events.length, 2);
    assert.deepEqual(JSON.parse(events[1]!), chunks[1]);
    assert.ok(!text.includes('[DONE]'));
  });

  it('destroy gives a fetch error', async () => {
    up.enqueue('/v1/chat/completions', { type: 'destroy' });
    await assert.rejects(post('/chat/completions', { model: 'm', messages: [] }), TypeError);
    assert.equal(up.calls.length, 1, 'destroyed request is still recorded');
    // next request works again
    const ok = await post('/chat/completions', { model: 'm', messages: [] });
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
  });

  it('hang never answers until the client aborts', async () => {
    up.enqueue('/v1/chat/completions', { type: 'hang' });
    const ac = new AbortController();
    const p = post('/chat/completions', { model: 'm', messages: [] }, {}, ac.signal);
    const raced = await Promise.race([p.then(() => 'answered'), new Promise((r) => setTimeout(() => r('pending'), 100))]);
    assert.equal(raced, 'pending');
    assert.equal(up.calls.length, 1);
    ac.abort();
    await assert.rejects(p, { name: 'AbortError' });
  });

  it('controlled stream: manual chunks, then abort is observed', async () => {
    const handle = controlledStream();
    handle.write({ early: true }); // buffered until the request arrives
    up.enqueue('/v1/chat/completions', { type: 'controlled', handle });
    const ac = new AbortController();
    const res = await post('/chat/completions', { model: 'm', stream: true, messages: [] }, {}, ac.signal);
    await handle.started;
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('\n\n')) text += dec.decode((await reader.read()).value, { stream: true });
    assert.deepEqual(parseSse(text), ['{"early":true}']);

    handle.write('second');
    text = '';
    while (!text.includes('\n\n')) text += dec.decode((await reader.read()).value, { stream: true });
    assert.deepEqual(parseSse(text), ['second']);

    assert.equal(handle.isAborted(), false);
    ac.abort();
    await handle.aborted;
    assert.equal(handle.isAborted(), true);
    handle.write('after abort is ignored');
    handle.end();
  });

  it('controlled stream: end() sends [DONE] and is not an abort', async () => {
    const handle = controlledStream();
    up.enqueue('/v1/chat/completions', { type: 'controlled', handle });
    const resP = post('/chat/completions', { model: 'm', stream: true, messages: [] });
    await handle.started;
    handle.write(chatChunks({ content: ['hi'] })[1]);
    handle.end();
    const events = parseSse(await (await resP).text());
    assert.equal(events.length, 2);
    assert.equal(JSON.parse(events[0]!).choices[0].delta.content, 'hi');
    assert.equal(events[1], '[DONE]');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(handle.isAborted(), false);
  });

  it('records calls with headers and body', async () => {
    await (
      await post('/chat/completions?api-version=1', { model: 'rec', messages: [{ role: 'user', content: 'x' }] }, {
        authorization: 'Bearer sk-upstream',
        'x-extra': 'v',
      })
    ).arrayBuffer();
    await (await fetch(up.url + '/models', { headers: { authorization: 'Bearer other' } })).arrayBuffer();
    await (await fetch(up.url + '/embeddings', { method: 'POST', body: 'not json' })).arrayBuffer();

    assert.equal(up.calls.length, 3);
    const [c1, c2, c3] = up.calls;
    assert.equal(c1!.method, 'POST');
    assert.equal(c1!.path, '/v1/chat/completions');
    assert.equal(c1!.url, '/v1/chat/completions?api-version=1');
    assert.equal(c1!.headers.authorization, 'Bearer sk-upstream');
    assert.equal(c1!.headers['x-extra'], 'v');
    assert.deepEqual(c1!.body, { model: 'rec', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(c2!.method, 'GET');
    assert.equal(c2!.path, '/v1/models');
    assert.equal(c2!.headers.authorization, 'Bearer other');
    assert.equal(c2!.body, undefined);
    assert.equal(c3!.body, 'not json');
  });

  it('reset clears queues and calls', async () => {
    up.enqueue('/v1/chat/completions', { type: 'error', status: 500 });
    await (await fetch(up.url + '/models')).arrayBuffer();
    assert.equal(up.calls.length, 1);
    assert.equal(up.pending(), 1);
    up.reset();
    assert.equal(up.calls.length, 0);
    assert.equal(up.pending(), 0);
    const res = await post('/chat/completions', { model: 'm', messages: [] });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });

  it('record:false does not record; close() destroys open sockets', async () => {
    const quiet = await startFakeUpstream({ record: false });
    quiet.enqueue('/v1/chat/completions', { type: 'hang' });
    const p = fetch(quiet.url + '/chat/completions', { method: 'POST', body: '{}' });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(quiet.calls.length, 0);
    await quiet.close();
    await assert.rejects(p);
  });
});

describe('chunk builders', () => {
  it('splitContent round-trips', () => {
    const pieces = splitContent('Hello from the fake upstream.');
    assert.equal(pieces.length, 4);
    assert.equal(pieces.join(''), 'Hello from the fake upstream.');
    assert.deepEqual(splitContent(''), []);
    assert.deepEqual(splitContent('one'), ['one']);
  });

  it('chatCompletion with tool calls', () => {
    const c = chatCompletion({ toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }], usage: { prompt_tokens: 3 } });
    assert.equal(c.choices[0]!.message.content, null);
    assert.equal(c.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(c.choices[0]!.message.tool_calls, [
      { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
    ]);
    assert.equal(c.usage!.total_tokens, 10);
    assert.equal(chatCompletion({ usage: null }).usage, undefined);
  });

  it('chatChunks with tool calls and usage', () => {
    const chunks = chatChunks({
      toolCalls: [
        { id: 'call_1', name: 'f', arguments: '{"city":"Paris"}' },
        { id: 'call_2', name: 'g', arguments: '{}' },
      ],
      includeUsage: true,
    });
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    const header = chunks[1]!.choices[0]!.delta.tool_calls![0]!;
    assert.deepEqual(header, { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } });
    const args0 = chunks
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .filter((t) => t.index === 0)
      .map((t) => t.function?.arguments ?? '')
      .join('');
    assert.equal(args0, '{"city":"Paris"}');
    const frags0 = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((t) => t.index === 0 && !t.id);
    assert.ok(frags0.length >= 2, 'arguments come in pieces');
    assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, 'tool_calls');
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(chunks.at(-1)!.usage!.total_tokens, 17);
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
    assert.ok(chunks.every((c) => c.id === chunks[0]!.id));
  });

  it('errorBody', () => {
    assert.deepEqual(errorBody('m'), { error: { message: 'm', type: 'invalid_request_error', param: null, code: null } });
  });
});
