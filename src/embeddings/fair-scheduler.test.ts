import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FairScheduler, type JobOptions } from './fair-scheduler.js';

/** A runner the test drives: every call waits until the test finishes it, and the calls are recorded in order. */
function controlledRunner() {
  const started: string[] = [];
  const waiting: Array<{ input: string; finish: (err?: Error) => void }> = [];
  let wake: (() => void) | undefined;
  const run = (input: string) =>
    new Promise<string>((resolve, reject) => {
      started.push(input);
      waiting.push({ input, finish: (err) => (err ? reject(err) : resolve(input.toUpperCase())) });
      wake?.();
    });
  /** Waits for the unit in flight, then finishes it. */
  async function finishNext(err?: Error): Promise<string> {
    while (waiting.length === 0) await new Promise<void>((r) => (wake = r));
    const unit = waiting.shift()!;
    unit.finish(err);
    return unit.input;
  }
  /** Finishes units until `done` settles; returns the inputs run, in order. */
  async function drain(done: Promise<unknown>): Promise<void> {
    let settled = false;
    void done.finally(() => (settled = true)).catch(() => {});
    while (!settled) {
      await finishNext();
      await new Promise((r) => setImmediate(r));
    }
  }
  return { run, started, finishNext, drain };
}

const big = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const interactive = (key: string, signal?: AbortSignal): JobOptions => ({ key, priority: 'interactive', signal });
const background = (key: string): JobOptions => ({ key, priority: 'background' });

describe('FairScheduler', () => {
  it('should run a small job queued behind a big one after at most one unit of the big one', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const finished: string[] = [];
    const bigJob = scheduler.submit(big('b', 10), interactive('tenant-a')).then(() => finished.push('big'));
    const smallJob = scheduler.submit(['s0'], interactive('tenant-b')).then(() => finished.push('small'));
    await runner.drain(Promise.all([bigJob, smallJob]));
    assert.deepEqual(runner.started.slice(0, 2), ['b0', 's0']);
    assert.deepEqual(finished, ['small', 'big']);
  });

  it("should interleave one caller's own jobs too", async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const jobs = [scheduler.submit(big('b', 5), interactive('t')), scheduler.submit(['q0'], interactive('t'))];
    await runner.drain(Promise.all(jobs));
    assert.deepEqual(runner.started.slice(0, 2), ['b0', 'q0']);
  });

  it('should take turns between callers, one unit each', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const jobs = [
      scheduler.submit(big('a', 3), interactive('A')),
      scheduler.submit(big('b', 3), interactive('B')),
      scheduler.submit(big('c', 2), interactive('C')),
    ];
    await runner.drain(Promise.all(jobs));
    assert.deepEqual(runner.started, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2']);
  });

  it('should keep the turn of a caller that sends one small job after another', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const jobs = [scheduler.submit(big('a', 4), interactive('A')), scheduler.submit(big('c', 4), interactive('C'))];
    // B sends its next one-unit job as soon as the last one is done, four times.
    const sender = (async () => {
      for (let i = 0; i < 4; i++) await scheduler.submit([`b${i}`], interactive('B'));
    })();
    await runner.drain(Promise.all([...jobs, sender]));
    const order = runner.started.map((s) => s[0]).join('');
    for (const round of order.slice(0, 9).match(/.../g)!) assert.equal([...round].sort().join(''), 'abc', order);
  });

  it('should resolve each job with its outputs in order', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const a = scheduler.submit(['x', 'y'], interactive('A'));
    const b = scheduler.submit(['z'], interactive('B'));
    await runner.drain(Promise.all([a, b]));
    assert.deepEqual(await a, ['X', 'Y']);
    assert.deepEqual(await b, ['Z']);
  });

  it('should run background work only when no interactive work waits', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const indexing = scheduler.submit(big('i', 4), background('A'));
    const query = scheduler.submit(big('q', 2), interactive('B'));
    await runner.drain(Promise.all([indexing, query]));
    assert.deepEqual(runner.started, ['i0', 'q0', 'q1', 'i1', 'i2', 'i3']);
  });

  it('should drop an aborted job from the queue and reject it with the reason', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const controller = new AbortController();
    const aborted = scheduler.submit(big('x', 5), interactive('A', controller.signal));
    const other = scheduler.submit(big('o', 2), interactive('B'));
    assert.equal(await runner.finishNext(), 'x0');
    controller.abort(new Error('client gone'));
    await assert.rejects(aborted, /client gone/);
    await runner.drain(other);
    assert.deepEqual(runner.started, ['x0', 'o0', 'o1']);
  });

  it('should reject a job whose signal is already aborted without running it', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    await assert.rejects(scheduler.submit(['x'], interactive('A', AbortSignal.abort(new Error('gone')))), /gone/);
    assert.deepEqual(runner.started, []);
  });

  it('should fail only the job whose unit failed', async () => {
    const runner = controlledRunner();
    const scheduler = new FairScheduler(runner.run);
    const failing = scheduler.submit(big('f', 3), interactive('A'));
    const other = scheduler.submit(['o0'], interactive('B'));
    failing.catch(() => {});
    await runner.finishNext(new Error('model crashed'));
    await assert.rejects(failing, /model crashed/);
    await runner.drain(other);
    assert.deepEqual(await other, ['O0']);
    assert.deepEqual(runner.started, ['f0', 'o0']);
  });

  it('should run up to `concurrency` units at once, never more, and still resolve outputs in order', async () => {
    const runner = controlledRunner();
    let inFlight = 0;
    let most = 0;
    const scheduler = new FairScheduler(async (input: string) => {
      most = Math.max(most, ++inFlight);
      try {
        return await runner.run(input);
      } finally {
        inFlight--;
      }
    }, 2);
    const a = scheduler.submit(big('a', 5), background('A'));
    const b = scheduler.submit(['b0'], interactive('B'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(runner.started, ['a0', 'a1'], 'two units started before any finished');
    await runner.drain(Promise.all([a, b]));
    assert.equal(runner.started[2], 'b0', 'the interactive unit takes the first free worker');
    assert.equal(most, 2);
    assert.deepEqual(await a, ['A0', 'A1', 'A2', 'A3', 'A4']);
  });
});
