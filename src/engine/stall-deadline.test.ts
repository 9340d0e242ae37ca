import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatCallOptions, ChatModel, StreamPart } from '../providers/chat-model.js';
import { ProviderError } from '../providers/provider-error.js';
import { withStallDeadline } from './stall-deadline.js';

/** A model that sends `parts`, then stays silent until its call is aborted. */
function silentAfter(parts: StreamPart[]): { model: ChatModel; calls: ChatCallOptions[] } {
  const calls: ChatCallOptions[] = [];
  const model: ChatModel = {
    provider: 'fake',
    modelId: 'm',
    async stream(call) {
      calls.push(call);
      let sent = 0;
      return {
        stream: new ReadableStream<StreamPart>({
          pull: (controller) =>
            sent < parts.length
              ? controller.enqueue(parts[sent++]!)
              : new Promise<void>((resolve) => call.abortSignal?.addEventListener('abort', () => resolve(), { once: true })),
        }),
      };
    },
    generate: () => Promise.reject(new Error('not used')),
  };
  return { model, calls };
}

async function readAll(stream: ReadableStream<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of stream as unknown as AsyncIterable<StreamPart>) out.push(part);
  return out;
}

describe('withStallDeadline', () => {
  it('should end a stream that went silent with a timeout error naming the setting, and abort the call', async () => {
    const { model, calls } = silentAfter([{ type: 'text-delta', delta: 'Hel' }]);
    const { stream } = await withStallDeadline(model, { ms: 30 }).stream({ messages: [] });
    const parts = await readAll(stream);
    assert.deepEqual(parts[0], { type: 'text-delta', delta: 'Hel' });
    const last = parts.at(-1);
    assert.equal(parts.length, 2);
    assert.ok(last?.type === 'error' && last.error instanceof ProviderError);
    assert.equal(last.error.kind, 'timeout');
    assert.match(last.error.message, /sent nothing for 30 ms.*runs\.stall_timeout_ms/);
    assert.equal(calls[0]!.abortSignal?.aborted, true, 'the upstream call is torn down');
  });

  it('should pass a stream that keeps talking through unchanged', async () => {
    const finish: StreamPart = { type: 'finish', finishReason: 'stop', usage: null };
    const parts: StreamPart[] = [{ type: 'text-delta', delta: 'Hi' }, finish];
    const model: ChatModel = {
      ...silentAfter([]).model,
      stream: async () => ({ stream: new ReadableStream({ start: (c) => (parts.forEach((p) => c.enqueue(p)), c.close()) }) }),
    };
    const { stream } = await withStallDeadline(model, { ms: 60_000 }).stream({ messages: [] });
    assert.deepEqual(await readAll(stream), parts);
  });

  it("should pass the caller's abort on to the model", async () => {
    const { model, calls } = silentAfter([]);
    const caller = new AbortController();
    await withStallDeadline(model, { ms: 60_000 }).stream({ messages: [], abortSignal: caller.signal });
    caller.abort('cancel');
    assert.equal(calls[0]!.abortSignal?.aborted, true);
    assert.equal(calls[0]!.abortSignal?.reason, 'cancel');
  });

  it("should stop listening to the caller's signal once the stream ends (a run's signal outlives its turns)", async () => {
    const model: ChatModel = {
      provider: 'fake',
      modelId: 'm',
      generate: async () => assert.fail('not called'),
      stream: async () => ({ stream: new ReadableStream({ start: (c) => (c.enqueue({ type: 'text-delta', delta: 'x' }), c.close()) }) }),
    };
    const caller = new AbortController();
    const { stream } = await withStallDeadline(model, { ms: 60_000 }).stream({ messages: [], abortSignal: caller.signal });
    assert.equal(getEventListeners(caller.signal, 'abort').length, 1);
    await readAll(stream);
    assert.equal(getEventListeners(caller.signal, 'abort').length, 0);
  });

  it('should not count the time the run spends between parts as silence', async () => {
    const parts: StreamPart[] = [{ type: 'text-delta', delta: 'a' }, { type: 'text-delta', delta: 'b' }, { type: 'finish', finishReason: 'stop', usage: null }];
    let sent = 0;
    const model: ChatModel = {
      ...silentAfter([]).model,
      stream: async () => ({ stream: new ReadableStream<StreamPart>({ pull: (c) => (sent < parts.length ? c.enqueue(parts[sent++]!) : c.close()) }, { highWaterMark: 0 }) }),
    };
    const { stream } = await withStallDeadline(model, { ms: 20 }).stream({ messages: [] });
    const reader = stream.getReader();
    const out: StreamPart[] = [];
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      out.push(next.value);
      // The run writes the part (longer than the deadline): the model is not waited for meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    assert.deepEqual(out, parts);
  });

  it('should leave no timer between parts: a stream its reader drops keeps the process alive no longer', async () => {
    const { model } = silentAfter([{ type: 'text-delta', delta: 'a' }]);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { stream } = await withStallDeadline(model, { ms: 600_000 }).stream({ messages: [] });
    const first = await stream.getReader().read();
    assert.deepEqual(first.value, { type: 'text-delta', delta: 'a' });
    assert.equal(timers(), before);
  });
});
