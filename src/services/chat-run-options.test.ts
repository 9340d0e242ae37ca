import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runOverridesOf } from './chat-run-options.js';

describe('runOverridesOf', () => {
  it('should leave the assistant defaults alone when the request sets nothing', () => {
    assert.deepEqual(runOverridesOf({ temperature: null, tool_choice: null }), {});
  });

  it('should map sampling, the output budget, response_format and tool_choice', () => {
    const format = { type: 'json_schema' as const, json_schema: { name: 'facts', schema: { type: 'object' }, strict: true } };
    assert.deepEqual(
      runOverridesOf({
        temperature: 0.3,
        top_p: 0.9,
        max_tokens: 40,
        response_format: format,
        tool_choice: { type: 'function', function: { name: 'weather' } },
        parallel_tool_calls: false,
      }),
      { temperature: 0.3, top_p: 0.9, max_completion_tokens: 40, response_format: format, tool_choice: { type: 'function', function: { name: 'weather' } }, parallel_tool_calls: false },
    );
  });

  it('should prefer max_completion_tokens over max_tokens', () => {
    assert.deepEqual(runOverridesOf({ max_tokens: 40, max_completion_tokens: 20 }), { max_completion_tokens: 20 });
  });

  it('should drop a chat-only tool_choice that a run cannot express', () => {
    const allowed = { type: 'allowed_tools' as const, allowed_tools: { mode: 'auto' as const, tools: [] } };
    assert.deepEqual(runOverridesOf({ tool_choice: allowed }), {});
    assert.deepEqual(runOverridesOf({ tool_choice: 'none' }), { tool_choice: 'none' });
  });
});
