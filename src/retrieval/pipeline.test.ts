import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pipelineBatches } from './pipeline.js';

/** Productions the test finishes by hand, in any order. */
function heldProducer() {
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void; signal: AbortSignal }>();
  let wake: (() => void) | undefined;
  const produce = (index: number, signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      pending.set(index, { resolve, reject, signal });
      wake?.();
    });
  /** Waits until `n` productions are unfinished at once. */
  const inFlight = async (n: number) => {
    while (pending.size < n) await new Promise<void>((r) => (wake = r));
  };
  const finish = (index: number, err?: Error) => {
    const p = pending.get(index)!;
    pending.delete(index);
    if (err) p.reject(err);
    else p.resolve(`v${index}`);
  };
  return { produce, inFlight, finish, pending };
}

describe('pipelineBatches', () => {
  it('should keep `concurrency` productions in flight and consume in order whatever order they finish in', async () => {
    const held = heldProducer();
    const consumed: string[] = [];
    const done = pipelineBatches({ count: 5, concurrency: 3, produce: held.produce, consume: async (i, v) => void consumed.push(`${i}:${v}`) });
    await held.inFlight(3);
    assert.deepEqual([...held.pending.keys()], [0, 1, 2]);
    held.finish(2);
    held.finish(1);
    await held.inFlight(3); // 3 and 4 started while 0 still runs
    assert.deepEqual(consumed, [], 'nothing consumed before batch 0');
    assert.deepEqual([...held.pending.keys()].sort(), [0, 3, 4]);
    for (const i of [4, 0, 3]) held.finish(i);
    await done;
    assert.deepEqual(consumed, ['0:v0', '1:v1', '2:v2', '3:v3', '4:v4']);
  });

  it('should produce the next batches while a batch is being consumed', async () => {
    const held = heldProducer();
    let release!: () => void;
    const consuming = new Promise<void>((r) => (release = r));
    const done = pipelineBatches({
      count: 3,
      concurrency: 2,
      produce: held.produce,
      consume: (i) => (i === 0 ? consuming : Promise.resolve()),
    });
    await held.inFlight(2);
    held.finish(0); // consume(0) now hangs; 2 starts beside 1
    await held.inFlight(2);
    assert.deepEqual([...held.pending.keys()].sort(), [1, 2]);
    held.finish(1);
    held.finish(2);
    release();
    await done;
  });

  it('should stop at the first failure: no new batch, the others told through their signal', async () => {
    const held = heldProducer();
    const consumed: number[] = [];
    const done = pipelineBatches({ count: 10, concurrency: 2, produce: held.produce, consume: async (i) => void consumed.push(i) });
    await held.inFlight(2);
    const other = held.pending.get(1)!.signal;
    held.finish(0, new Error('upstream down'));
    await assert.rejects(done, /upstream down/);
    assert.equal(other.aborted, true);
    assert.deepEqual([...held.pending.keys()], [1], 'nothing started after the failure');
    assert.deepEqual(consumed, []);
  });
});
