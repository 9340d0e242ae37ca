import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heldBack } from './python-session.js';

describe('heldBack (end marker on the output pipe)', () => {
  const marker = Buffer.from('\x1eabc123\x1e');
  const cases: Array<[string, string, number]> = [
    ['plain output passes whole', 'hello\n', 6],
    ['a tail that starts the marker waits', 'hello\x1eab', 5],
    ['a lone separator at the end waits', 'hello\x1e', 5],
    ['a separator that cannot start the marker passes', 'a\x1ezz', 4],
    ['an earlier separator with other text after it passes', '\x1ex and more text here', 21],
    ['empty', '', 0],
  ];
  for (const [name, text, expected] of cases)
    it(`should ${name}`, () => assert.equal(heldBack(Buffer.from(text), marker), expected));
});
