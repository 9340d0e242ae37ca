import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from './engine-events.js';
import { encodeNotices, MAX_PAYLOAD_BYTES, NoticeAssembler, packPayloads, splitChars, type Notice, type NoticeBatch } from './pg-notices.js';

const text = (t: string): EngineEvent => ({ type: 'message.text', messageId: 'msg_1', part: 0, text: t, annotations: [] });

/** What a receiver hears from the payloads, in order. */
function receive(payloads: string[]): EngineEvent[] {
  const assembler = new NoticeAssembler();
  const heard: EngineEvent[] = [];
  for (const payload of payloads) {
    const batch = JSON.parse(payload) as NoticeBatch;
    for (const n of batch.n) {
      const h = assembler.accept(batch.o, n);
      if (h && 'event' in h) heard.push(h.event);
    }
  }
  return heard;
}

describe('pg-notices', () => {
  it('should split text without parting a surrogate pair', () => {
    const pieces = splitChars('ab😀cd', 3);
    assert.deepEqual(pieces, ['ab', '😀c', 'd']);
  });

  it('should pack small events into one payload, in order', () => {
    let seq = 0;
    const events = Array.from({ length: 30 }, (_, i) => text(`t${i}`));
    const payloads = packPayloads('o1', events.flatMap((e, i) => encodeNotices('run_1', e, i)), () => ++seq);
    assert.equal(payloads.length, 1);
    assert.deepEqual(receive(payloads), events);
  });

  it('should keep every payload under the limit and join a large event from its pieces', () => {
    let seq = 0;
    const big = text('Ünï “q” \\ 😀 \n'.repeat(3000));
    const events = [text('before'), big, text('after')];
    const notices = events.flatMap((e, i) => encodeNotices('run_1', e, i));
    const payloads = packPayloads('o1', notices, () => ++seq);
    assert.ok(payloads.length > 3);
    for (const p of payloads) assert.ok(Buffer.byteLength(p) <= MAX_PAYLOAD_BYTES, `payload of ${Buffer.byteLength(p)} bytes`);
    assert.equal(new Set(payloads).size, payloads.length, 'no two payloads equal');
    assert.deepEqual(receive(payloads), events);
  });

  it('should send a large row event by reference', () => {
    const thread = { id: 'thread_9', tenant_id: 't', seq: 1, created_at: 1, metadata: JSON.stringify({ k: 'x'.repeat(9000) }), tool_resources: null, hidden: 0 };
    const notices = encodeNotices('run_1', { type: 'thread.created', thread }, 1);
    assert.deepEqual(notices.map((n) => JSON.parse(n) as Notice), [{ r: 'run_1', f: { t: 'thread.created', k: 'thread', id: 'thread_9' } }]);
  });

  it('should drop pieces whose first piece it did not hear', () => {
    const assembler = new NoticeAssembler();
    assert.equal(assembler.accept('o1', { r: 'run_1', x: 1, i: 1, c: 2, p: '"b"' }), undefined);
  });
});
