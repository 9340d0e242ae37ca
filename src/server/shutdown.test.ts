import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { pino } from 'pino';
import { shutdown } from './shutdown.js';

const log = pino({ level: 'silent' });

describe('shutdown', () => {
  it('should close HTTP first, then each closer in the order given', async () => {
    const app = Fastify();
    const calls: string[] = [];
    app.addHook('onClose', async () => void calls.push('http'));
    const closers = ['worker', 'usage', 'store'].map((name) => async () => void calls.push(name));
    await shutdown({ app, graceMs: 1000, log, closers })();
    assert.deepEqual(calls, ['http', 'worker', 'usage', 'store']);
  });

  it('should close each part once however often it is called', async () => {
    const app = Fastify();
    let closed = 0;
    const close = shutdown({ app, graceMs: 1000, log, closers: [async () => void closed++] });
    await Promise.all([close(), close()]);
    await close();
    assert.equal(closed, 1);
  });

  it('should still run the closers when HTTP fails to close, and report that failure', async () => {
    const app = Fastify();
    app.addHook('onClose', async () => {
      throw new Error('stuck');
    });
    const calls: string[] = [];
    await assert.rejects(shutdown({ app, graceMs: 1000, log, closers: [async () => void calls.push('store')] })(), /stuck/);
    assert.deepEqual(calls, ['store']);
  });
});
