import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { idKindOf, itemFileIds, toAssistantsContent, toItemContent } from './conversation-items-input.js';

describe('conversation item input', () => {
  it('should turn string content into one input_text part, or output_text for the assistant', () => {
    assert.deepEqual(toItemContent({ type: 'message', role: 'developer', content: 'be brief' }), [{ type: 'input_text', text: 'be brief' }]);
    assert.deepEqual(toItemContent({ type: 'message', role: 'assistant', content: 'ok' }), [
      { type: 'output_text', text: 'ok', annotations: [], logprobs: [] },
    ]);
  });

  it('should give input_image parts explicit nulls and keep input_file parts as given', () => {
    const parts = toItemContent({
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_image', detail: 'original', image_url: 'https://x/y.png' },
        { type: 'input_file', file_data: 'data:application/pdf;base64,AA==', filename: 'a.pdf' },
      ],
    });
    assert.deepEqual(parts, [
      { type: 'input_image', detail: 'original', image_url: 'https://x/y.png', file_id: null },
      { type: 'input_file', file_data: 'data:application/pdf;base64,AA==', filename: 'a.pdf' },
    ]);
  });

  it('should show the Assistants API text, images and refusals, and leave input_file out', () => {
    const content = toAssistantsContent([
      { type: 'input_text', text: 'a' },
      { type: 'output_text', text: 'b', annotations: [], logprobs: [] },
      { type: 'refusal', refusal: 'no' },
      { type: 'input_image', detail: 'original', file_id: 'file-1', image_url: null },
      { type: 'input_image', detail: 'low', file_id: null, image_url: 'https://x/y.png' },
      { type: 'input_file', file_id: 'file-2' },
    ]);
    assert.deepEqual(content, [
      { type: 'text', text: { value: 'a', annotations: [] } },
      { type: 'text', text: { value: 'b', annotations: [] } },
      { type: 'refusal', refusal: 'no' },
      { type: 'image_file', image_file: { file_id: 'file-1' } },
      { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'low' } },
    ]);
  });

  it('should name each referenced file with its param', () => {
    const ids = itemFileIds([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x' }, { type: 'input_file', file_id: 'file-a' }] },
      { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_image', detail: 'auto', file_id: 'file-b' }] },
    ]);
    assert.deepEqual(ids.files, [
      { id: 'file-a', param: 'items[0].content[1].file_id' },
      { id: 'file-b', param: 'items[1].output[0].file_id' },
    ]);
  });

  it("should pick OpenAI's id prefix for each item type", () => {
    assert.equal(idKindOf('function_call'), 'fc');
    assert.equal(idKindOf('function_call_output'), 'fco');
    assert.equal(idKindOf('file_search_call'), 'fs');
    assert.equal(idKindOf('mcp_call'), 'item');
  });
});
