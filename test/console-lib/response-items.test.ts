import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResponseOutputItem } from 'openai/resources/responses/responses';
import { summarizeItem } from '../../console/src/lib/response-items.js';

describe('summarizeItem', () => {
  it('should show a message with its text and cited files', () => {
    const item: ResponseOutputItem = {
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      status: 'completed',
      content: [
        {
          type: 'output_text',
          text: 'Paris.',
          logprobs: [],
          annotations: [{ type: 'file_citation', file_id: 'file-1', filename: 'cities.txt', index: 5 }],
        },
      ],
    };
    assert.deepEqual(summarizeItem(item), {
      id: 'msg_1',
      type: 'message',
      title: 'assistant',
      text: 'Paris.',
      results: [],
      citations: [{ file_id: 'file-1', filename: 'cities.txt' }],
    });
  });

  it('should show tool calls with arguments, outputs and scored results', () => {
    const call: ResponseOutputItem = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"a":1}' };
    assert.deepEqual([summarizeItem(call).title, summarizeItem(call).text], ['Function call f (call_1)', '{"a":1}']);
    const searchItem = {
      type: 'file_search_call',
      id: 'fs_1',
      status: 'completed',
      queries: ['capital'],
      results: [{ file_id: 'file-1', filename: 'a.txt', score: 0.9, text: 'chunk' }],
    };
    const search = summarizeItem(searchItem);
    assert.equal(search.title, 'file_search: capital');
    assert.deepEqual(search.results, [{ file_id: 'file-1', filename: 'a.txt', score: 0.9, text: 'chunk' }]);
    const otherItem = { type: 'mcp_list_tools', id: 'x', tools: [] };
    const other = summarizeItem(otherItem);
    assert.equal(other.title, 'mcp_list_tools');
    assert.match(other.text, /"mcp_list_tools"/);
  });
});
