import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectEnd, usageFromTail } from './usage-from-tail.js';

const USAGE = { prompt_tokens: 14, completion_tokens: 7, total_tokens: 21, prompt_tokens_details: { cached_tokens: 0 } };
const completion = (content: string, rest: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  ...rest,
});

describe('usageFromTail', () => {
  it('should read the usage of a chat.completion, its nested details included', () => {
    assert.deepEqual(usageFromTail(JSON.stringify(completion('Paris.', { usage: USAGE }))), { found: true, usage: USAGE });
  });

  it('should read it when scalar fields follow it, a string with braces and commas among them', () => {
    const body = JSON.stringify(completion('Paris.', { usage: USAGE, system_fingerprint: 'fp_}a,"b"', service_tier: null, n: -1.5e3, ok: true }));
    assert.deepEqual(usageFromTail(body), { found: true, usage: USAGE });
  });

  it('should read it from pretty-printed JSON', () => {
    assert.deepEqual(usageFromTail(JSON.stringify(completion('Paris.', { usage: USAGE }), null, 2)), { found: true, usage: USAGE });
  });

  it('should answer a usage of null as found', () => {
    assert.deepEqual(usageFromTail(JSON.stringify(completion('Paris.', { usage: null }))), { found: true, usage: null });
  });

  it('should not find a usage key that appears inside a string (the content ends with one)', () => {
    const body = JSON.stringify(completion('Here: {"usage": {"prompt_tokens": 999}}'));
    assert.equal(body.includes('\\"usage\\"'), true);
    assert.deepEqual(usageFromTail(body), { found: false });
  });

  it('should not take a usage written in the content after the real one is missing, even unescaped-looking', () => {
    const body = JSON.stringify(completion('x', { note: ',"usage":{"prompt_tokens":999}}' }));
    assert.deepEqual(usageFromTail(body), { found: false });
  });

  it('should not take a usage key of a nested object', () => {
    const body = JSON.stringify(completion('x', { extra: { usage: { prompt_tokens: 999 } } }));
    assert.deepEqual(usageFromTail(body), { found: false });
  });

  it('should not take a key that only ends with "usage" (an escaped quote before it)', () => {
    const body = JSON.stringify({ ...completion('x'), 'a"usage': { prompt_tokens: 999 } });
    assert.deepEqual(usageFromTail(body), { found: false });
  });

  it('should give up when an object follows the usage (the whole answer is parsed instead)', () => {
    const body = JSON.stringify(completion('x', { usage: USAGE, extra: {} }));
    assert.deepEqual(usageFromTail(body), { found: false });
  });

  it('should give up on a truncated answer, an array, and an answer without usage', () => {
    const whole = JSON.stringify(completion('x', { usage: USAGE }));
    assert.deepEqual(usageFromTail(whole.slice(0, -1)), { found: false });
    assert.deepEqual(usageFromTail(`[${whole}]`), { found: false });
    assert.deepEqual(usageFromTail(JSON.stringify(completion('x'))), { found: false });
  });

  it('should agree with JSON.parse wherever it finds a usage', () => {
    const contents = ['a', '"usage":{}', '{"usage":1}', '\\', '}', '",\\"usage\\":{}}'];
    for (const content of contents)
      for (const rest of [{}, { usage: USAGE }, { usage: USAGE, tail: content }, { usage: null, x: { usage: 1 } }]) {
        const body = JSON.stringify(completion(content, rest));
        const tail = usageFromTail(body);
        if (tail.found) assert.deepEqual(tail.usage, (JSON.parse(body) as { usage: unknown }).usage, body);
      }
  });
});

describe('objectEnd', () => {
  it('should skip braces and escaped quotes inside strings', () => {
    const text = 'x{"a":"}\\"{","b":{"c":1}}y';
    assert.equal(objectEnd(text, 1), text.length - 1);
  });

  it('should answer -1 for an object that does not close', () => {
    assert.equal(objectEnd('{"a":{}', 0), -1);
  });
});
