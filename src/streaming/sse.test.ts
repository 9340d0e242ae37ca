import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSE_DONE, SSE_DONE_EVENT, SSE_HEADERS, SseWriter, sseData, sseError, sseEvent, sseJson } from './sse.js';
import { until } from '../../test/support/until.js';

/** Bigger than any loopback socket buffering (tcp_wmem max 4 MiB + a paused reader's window). */
const BIG = 16 * 1024 * 1024;

let server: http.Server;
let port: number;
const waiting: Array<(res: ServerResponse) => void> = [];

/** Opens a GET to the test server; resolves with the client's response and the server's response object. */
async function connect(): Promise<{ req: ClientRequest; client: IncomingMessage; res: ServerResponse }> {
  const serverSide = new Promise<ServerResponse>((resolve) => waiting.push(resolve));
  let req!: ClientRequest;
  const client = await new Promise<IncomingMessage>((resolve, reject) => {
    req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, resolve);
    req.on('error', reject);
  });
  return { req, client, res: await serverSide };
}

function readAll(client: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d: string) => (text += d));
    client.on('end', () => resolve(text));
    client.on('error', reject);
  });
}

/** Resolves true if `p` is still pending after the event loop has gone round a few times. */
async function stillPending(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return !settled;
}

before(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, SSE_HEADERS);
    res.flushHeaders();
    const next = waiting.shift();
    assert.ok(next, 'unexpected request');
    next(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('sseData / sseEvent', () => {
  it('should frame data as `data: x\\n\\n`', () => {
    assert.equal(sseData('{"a":1}'), 'data: {"a":1}\n\n');
  });

  it('should frame an event as `event: x\\ndata: y\\n\\n`', () => {
    assert.equal(sseEvent('thread.run.created', '{"id":"run_1"}'), 'event: thread.run.created\ndata: {"id":"run_1"}\n\n');
  });
});

describe('sseJson / SSE_DONE / SSE_DONE_EVENT / sseError', () => {
  it('should frame a JSON value as one data frame, its newlines escaped by JSON', () => {
    assert.equal(sseJson({ a: 'x\ny' }), 'data: {"a":"x\\ny"}\n\n');
  });

  it('should end a chat stream with `data: [DONE]` and an Assistants stream with `event: done`', () => {
    assert.equal(SSE_DONE, 'data: [DONE]\n\n');
    assert.equal(SSE_DONE_EVENT, 'event: done\ndata: [DONE]\n\n');
  });

  it('should frame a mid-stream error as the OpenAI error body in a data frame, with explicit nulls', () => {
    assert.equal(
      sseError({ message: 'boom', type: 'server_error' }),
      'data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}\n\n',
    );
    assert.equal(
      sseError({ message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null }),
      'data: {"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}\n\n',
    );
  });
});

describe('SseWriter', () => {
  it('should send the SSE headers set by the server', async () => {
    const { client, res } = await connect();
    new SseWriter(res).end();
    await readAll(client);
    assert.equal(client.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(client.headers['x-accel-buffering'], 'no');
  });

  it('should deliver frames in order', async () => {
    const { client, res } = await connect();
    const body = readAll(client);
    const w = new SseWriter(res);
    for (let i = 0; i < 50; i++) await w.writeData(`{"n":${i}}`);
    await w.write(': comment\n\n');
    w.end();
    let expected = '';
    for (let i = 0; i < 50; i++) expected += `data: {"n":${i}}\n\n`;
    assert.equal(await body, expected + ': comment\n\n');
  });

  it('should write events as `event: x\\ndata: y\\n\\n`', async () => {
    const { client, res } = await connect();
    const body = readAll(client);
    const w = new SseWriter(res);
    await w.writeEvent('thread.message.delta', '{"id":"msg_1"}');
    await w.writeEvent('done', '[DONE]');
    w.end();
    assert.equal(await body, 'event: thread.message.delta\ndata: {"id":"msg_1"}\n\nevent: done\ndata: [DONE]\n\n');
  });

  it('should not resolve write() while the client is not reading, and resolve once it reads', { timeout: 20_000 }, async () => {
    const { client, res } = await connect();
    client.pause();
    const w = new SseWriter(res);
    const frame = sseData('x'.repeat(BIG));
    const pending = w.write(frame);
    assert.equal(res.writableNeedDrain, true);
    assert.equal(await stillPending(pending), true);
    let received = 0;
    client.on('data', (d: Buffer) => (received += d.length));
    client.resume();
    await pending;
    w.end();
    await new Promise<void>((resolve) => client.on('end', resolve));
    assert.equal(received, Buffer.byteLength(frame));
  });

  it('should resolve a waiting write() when the client disconnects', { timeout: 20_000 }, async () => {
    const { req, client, res } = await connect();
    client.pause();
    const w = new SseWriter(res);
    const pending = w.write(sseData('y'.repeat(BIG)));
    assert.equal(await stillPending(pending), true);
    req.destroy();
    await pending;
    await until(() => w.closed, (closed) => closed, 5000);
    assert.equal(w.closed, true);
  });

  it('should ignore writes after the client disconnected', async () => {
    const { req, res } = await connect();
    const w = new SseWriter(res);
    const closed = new Promise<void>((resolve) => res.on('close', resolve));
    req.destroy();
    await closed;
    assert.equal(w.closed, true);
    let writes = 0;
    const write = res.write.bind(res);
    res.write = ((...args: Parameters<typeof write>) => (writes++, write(...args))) as typeof res.write;
    await w.writeData('late');
    assert.equal(writes, 0);
  });

  it('should be closed after end() and ignore later writes', async () => {
    const { client, res } = await connect();
    const body = readAll(client);
    const w = new SseWriter(res);
    assert.equal(w.closed, false);
    await w.writeData('one');
    w.end();
    assert.equal(w.closed, true);
    await w.writeData('two');
    w.end();
    assert.equal(await body, 'data: one\n\n');
  });
});
