import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTsvectorText } from './tsvector-text.js';

describe('parseTsvectorText', () => {
  it('should read lexemes with their numbers of positions and their sum', () => {
    // select to_tsvector('english', 'cat dog cat cat bird')::text
    assert.deepEqual(parseTsvectorText("'bird':5 'cat':1,3,4 'dog':2"), { lexemes: ['bird', 'cat', 'dog'], counts: [1, 3, 1], positions: 5 });
  });

  it('should unescape quotes and backslashes, and count a lexeme without positions once', () => {
    // select $$'it''s' 'a\\b':2,7 'x y':3$$::tsvector::text prints exactly this
    assert.deepEqual(parseTsvectorText("'a\\\\b':2,7 'it''s' 'x y':3"), { lexemes: ['a\\b', "it's", 'x y'], counts: [2, 1, 1], positions: 4 });
  });

  it('should read an empty tsvector', () => {
    assert.deepEqual(parseTsvectorText(''), { lexemes: [], counts: [], positions: 0 });
  });
});
