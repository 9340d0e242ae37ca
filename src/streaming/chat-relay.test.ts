import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relayChatStream } from './chat-relay.js';
import type { ChatStreamSummary } from './chat-relay.js';

type Piece = string | Uint8Array;

const chunk = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  });

const USAGE = { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 };
const usageChunk = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: USAGE });

const C1 = chunk('Hello');
const C2 = chunk(' wörld €😀');
const DONE = 'data: [DONE]\n\n';
const ev = (data: string) => `data: ${data}\n\n`;

function newSummary(): ChatStreamSummary {
  return { usage: null, payloads: [], sawDone: false, error: null };
}

async function* from(pieces: Piece[], log?: { pulled: number }): AsyncGenerator<Piece> {
  for (const p of pieces) {
    if (log) log.pulled++;
    yield p;
  }
}

async function relay(source: AsyncIterable<Piece>, includeUsage = false) {
  const summary = newSummary();
  const yields: string[] = [];
  for await (const out of relayChatStream({ source, includeUsage, summary })) yields.push(out);
  const text = yields.join('');
  return { yields, text, frames: text.split(/(?<=\n\n)/).filter(Boolean), summary };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe('relayChatStream', () => {
  it('should re-frame each event as exactly `data: <json>\\n\\n`', async () => {
    const { text } = await relay(from([`data: ${C1}\n\ndata: ${C2}\n\n${DONE}`]));
    assert.equal(text, ev(C1) + ev(C2) + DONE);
  });

  it('should normalise `data:` without a space and CRLF line endings', async () => {
    const { text } = await relay(from([`data:${C1}\r\n\r\ndata: [DONE]\r\n\r\n`]));
    assert.equal(text, ev(C1) + DONE);
  });

  it('should yield the events of one piece together', async () => {
    const { yields } = await relay(from([`data: ${C1}\n\ndata: ${C2}\n\n`, DONE]));
    assert.deepEqual(yields, [ev(C1) + ev(C2), DONE]);
  });

  it('should reassemble an event split in the middle of `data:`', async () => {
    const { yields, text } = await relay(from(['da', `ta: ${C1.slice(0, 20)}`, `${C1.slice(20)}\n`, '\n', DONE]));
    assert.equal(text, ev(C1) + DONE);
    assert.deepEqual(yields, [ev(C1), DONE]);
  });

  it('should reassemble a multibyte UTF-8 character split across byte pieces', async () => {
    const all = bytes(ev(C2) + DONE);
    const euro = Buffer.from(all).indexOf(Buffer.from('€'));
    assert.ok(euro > 0);
    const { text } = await relay(from([all.slice(0, euro + 1), all.slice(euro + 1, euro + 2), all.slice(euro + 2)]));
    assert.equal(text, ev(C2) + DONE);
  });

  it('should reassemble a stream fed one byte at a time', async () => {
    const all = bytes(ev(C1) + ': ping\n\n' + ev(C2) + DONE);
    const pieces = Array.from(all, (b) => Uint8Array.of(b));
    const { text, summary } = await relay(from(pieces));
    assert.equal(text, ev(C1) + ev(C2) + DONE);
    assert.deepEqual(summary.payloads, [C1, C2]);
  });

  it('should drop comments and keep-alives', async () => {
    const { yields } = await relay(from([': ping\n\n', `data: ${C1}\n\n: keep-alive\n\n`, ': ping\n\n', DONE]));
    assert.deepEqual(yields, [ev(C1), DONE]);
  });

  it('should relay nothing after [DONE] but read the body to its end, so the connection is reused', async () => {
    const log = { pulled: 0 };
    const { text, summary } = await relay(from([ev(C1), DONE, ev(C2), 'garbage'], log));
    assert.equal(text, ev(C1) + DONE);
    assert.equal(summary.sawDone, true);
    assert.equal(summary.error, null);
    // The rest is drained in the background.
    await new Promise((r) => setImmediate(r));
    assert.equal(log.pulled, 4);
  });

  it('should record every data payload except [DONE] in summary.payloads', async () => {
    const { summary } = await relay(from([ev(C1), ev(usageChunk), DONE]));
    assert.deepEqual(summary.payloads, [C1, usageChunk]);
  });

  it('should drop the usage chunk when the client did not ask for usage', async () => {
    const { text } = await relay(from([ev(C1), ev(usageChunk), DONE]), false);
    assert.equal(text, ev(C1) + DONE);
  });

  it('should keep the usage chunk unchanged when the client asked for usage', async () => {
    const { text } = await relay(from([ev(C1), ev(usageChunk), DONE]), true);
    assert.equal(text, ev(C1) + ev(usageChunk) + DONE);
  });

  it('should set summary.usage from the usage chunk whether or not it is relayed', async () => {
    for (const includeUsage of [false, true]) {
      const { summary } = await relay(from([ev(C1), ev(usageChunk), DONE]), includeUsage);
      assert.deepEqual(summary.usage, USAGE);
    }
  });

  it('should strip a usage object from a content chunk when the client did not ask for usage', async () => {
    const withUsage = chunk('bye', { usage: USAGE });
    const { frames, summary } = await relay(from([ev(withUsage), DONE]), false);
    assert.equal(frames.length, 2);
    assert.equal(frames[0], ev(chunk('bye')));
    assert.deepEqual(summary.usage, USAGE);
  });

  it('should keep a usage object on a content chunk when the client asked for usage', async () => {
    const withUsage = chunk('bye', { usage: USAGE });
    const { text } = await relay(from([ev(withUsage), DONE]), true);
    assert.equal(text, ev(withUsage) + DONE);
  });

  it('should pass `"usage": null` chunks through as the same string', async () => {
    const nullUsage = `{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"x"}}],"usage": null}`;
    const { text, summary } = await relay(from([ev(nullUsage), DONE]), false);
    assert.equal(text, ev(nullUsage) + DONE);
    assert.equal(summary.usage, null);
  });

  it('should pass through a payload that mentions "usage" but is not JSON', async () => {
    const odd = '{"usage": {broken';
    const { text } = await relay(from([ev(odd), DONE]), false);
    assert.equal(text, ev(odd) + DONE);
  });

  it('should end with an upstream_error event when the stream ends without [DONE]', async () => {
    const { frames, summary } = await relay(from([ev(C1), ev(C2)]));
    assert.equal(frames.length, 3);
    assert.deepEqual(frames.slice(0, 2), [ev(C1), ev(C2)]);
    const last = frames[2]!;
    assert.match(last, /^data: \{.*\}\n\n$/);
    const body = JSON.parse(last.slice('data: '.length));
    assert.deepEqual(body, {
      error: {
        message: 'The upstream stream ended before it was complete.',
        type: 'upstream_error',
        param: null,
        code: 'upstream_error',
      },
    });
    assert.equal(summary.sawDone, false);
    assert.equal(summary.error, 'The upstream stream ended before it was complete.');
  });

  it('should treat a trailing event without its blank line as incomplete', async () => {
    const { frames, summary } = await relay(from([ev(C1), 'data: [DONE]\n']));
    assert.equal(frames.length, 2);
    assert.equal(JSON.parse(frames[1]!.slice(6)).error.type, 'upstream_error');
    assert.equal(summary.sawDone, false);
  });

  it('should end with an upstream_error event and set summary.error when the source throws', async () => {
    async function* broken(): AsyncGenerator<Piece> {
      yield ev(C1);
      throw new Error('socket hang up');
    }
    const { frames, summary } = await relay(broken());
    assert.equal(frames.length, 2);
    assert.equal(frames[0], ev(C1));
    const body = JSON.parse(frames[1]!.slice('data: '.length));
    assert.equal(body.error.type, 'upstream_error');
    assert.equal(body.error.message, 'The upstream stream broke off: socket hang up');
    assert.equal(summary.error, 'The upstream stream broke off: socket hang up');
  });

  it(
    'should keep a multi-line data event valid SSE',
    async () => {
      const { text } = await relay(from(['data: {"a":\ndata: 1}\n\n', DONE]));
      for (const line of text.split('\n')) assert.ok(line === '' || line.startsWith('data:'), `bad line ${JSON.stringify(line)}`);
    },
  );
});
