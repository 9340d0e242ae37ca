import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { ProviderError } from './providers/provider-error.js';
import { providerFailure } from './services/upstream-errors.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

const count = (text: string, part: string) => text.split(part).length - 1;

describe('createLogger', () => {
  it("should say an unreachable upstream's reason once in the logged error", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const provider = new ProviderError({
      provider: 'default',
      kind: 'connect',
      message: "Could not reach the upstream 'default' (ECONNREFUSED).",
      cause: refused,
    });
    const { lines, log } = capture();
    log.error({ err: providerFailure(provider) }, 'request failed');
    const message = String((lines[0]?.err as { message?: unknown }).message);
    assert.equal(count(message, 'Could not reach'), 1, message);
    assert.match(message, /127\.0\.0\.1:9/);
  });

  it('should keep a cause that adds something, and the frames of every layer without their messages', () => {
    const { lines, log } = capture();
    const inner = new Error('disk full');
    log.warn({ err: new Error('could not write the file', { cause: inner }) }, 'upload failed');
    const err = lines[0]?.err as { message: string; stack: string; type: string };
    assert.equal(err.message, 'could not write the file: disk full');
    assert.match(err.stack, /^\s+at .*\n(.*\n)*caused by: Error\n\s+at /);
    assert.doesNotMatch(err.stack, /disk full|could not write/);
    assert.equal(err.type, 'Error');
  });

  it("should say an upstream's error text once: not again in the stack or the response body", () => {
    const { lines, log } = capture();
    const body = JSON.stringify({ error: { message: 'BOOM-TEXT', type: 'server_error', param: null, code: null } });
    const err = new ProviderError({ provider: 'default', kind: 'response', statusCode: 500, responseBody: body, message: "The upstream 'default' answered 500: BOOM-TEXT" });
    log.warn({ err }, 'run failed');
    const line = JSON.stringify(lines[0]);
    assert.equal(count(line, 'BOOM-TEXT'), 1, line);
    assert.equal((lines[0]?.err as { statusCode: number }).statusCode, 500);
  });

  it('should keep a response body the message does not say', () => {
    const { lines, log } = capture();
    const err = new ProviderError({ provider: 'default', kind: 'response', statusCode: 502, responseBody: '<html>bad gateway</html>', message: "The upstream 'default' answered 502." });
    log.warn({ err }, 'run failed');
    assert.equal((lines[0]?.err as { responseBody: string }).responseBody, '<html>bad gateway</html>');
  });
});
