import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { FastifyReply } from 'fastify';
import { ClientGone } from './client-signal.js';

/** A reply whose raw response closes, finished or not. */
function fakeReply(): { reply: FastifyReply; close(finished: boolean): void } {
  const raw = Object.assign(new EventEmitter(), { writableFinished: false });
  return {
    reply: { raw } as unknown as FastifyReply,
    close(finished) {
      raw.writableFinished = finished;
      raw.emit('close');
    },
  };
}

describe('ClientGone', () => {
  it("should emit 'abort' with a reason when the response closes unfinished, and abort a signal made before", () => {
    const f = fakeReply();
    const gone = new ClientGone(f.reply);
    const early = gone.signal;
    let emitted = 0;
    gone.on('abort', () => emitted++);
    f.close(false);
    assert.equal(emitted, 1);
    assert.equal(gone.aborted, true);
    assert.equal(gone.reason?.message, 'client disconnected');
    assert.equal(early.aborted, true);
    assert.equal(early.reason, gone.reason);
  });

  it('should make a signal that is already aborted when asked for it after the client left', () => {
    const f = fakeReply();
    const gone = new ClientGone(f.reply);
    f.close(false);
    assert.equal(gone.signal.aborted, true);
    assert.equal(gone.signal.reason, gone.reason);
  });

  it('should stay quiet when the response closes finished', () => {
    const f = fakeReply();
    const gone = new ClientGone(f.reply);
    let emitted = 0;
    gone.on('abort', () => emitted++);
    f.close(true);
    assert.equal(emitted, 0);
    assert.equal(gone.aborted, false);
    assert.equal(gone.signal.aborted, false);
  });
});
