import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unversionedUrlLine } from './upstream-check.js';

const line = (base_url: string, type: 'openai-compatible' | 'anthropic' = 'openai-compatible') => unversionedUrlLine({ name: 'p', type, base_url });

describe('unversionedUrlLine', () => {
  it('should say how to fix an OpenAI-compatible base URL without /v1', () => {
    assert.equal(
      line('http://gpu:8000/'),
      "upstream 'p': base_url http://gpu:8000/ does not end in /v1, where OpenAI-compatible servers answer (http://gpu:8000/v1/chat/completions); set it to http://gpu:8000/v1",
    );
  });

  it('should accept versioned paths, and Anthropic base URLs as they are', () => {
    assert.deepEqual(
      [line('https://api.openai.com/v1'), line('https://generativelanguage.googleapis.com/v1beta/openai/'), line('https://api.anthropic.com', 'anthropic')],
      [null, null, null],
    );
  });
});
