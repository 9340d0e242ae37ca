import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Assistant } from 'openai/resources/beta/assistants';
import { emptyAssistantForm, toAssistantForm, toAssistantParams } from '../../console/src/lib/assistant-form.js';
import { fromMetadataRows } from '../../console/src/lib/metadata-rows.js';

describe('assistant form', () => {
  it('should build create params with tools, tool resources and prototype-less metadata', () => {
    const params = toAssistantParams({
      ...emptyAssistantForm('m1'),
      name: ' Helper ',
      fileSearch: true,
      vectorStoreIds: 'vs_1, vs_2\nvs_3',
      fileIds: 'file-ignored',
      functions: '[{"name":"get_weather","parameters":{"type":"object"}}]',
      metadata: [
        { key: 'team', value: 'a' },
        { key: ' ', value: 'skipped' },
      ],
    });
    assert.ok(typeof params !== 'string');
    assert.equal(Object.getPrototypeOf(params.metadata), null);
    assert.deepEqual(JSON.parse(JSON.stringify(params)), {
      model: 'm1',
      name: 'Helper',
      instructions: null,
      tools: [{ type: 'file_search' }, { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_resources: { file_search: { vector_store_ids: ['vs_1', 'vs_2', 'vs_3'] }, code_interpreter: { file_ids: [] } },
      metadata: { team: 'a' },
    });
  });

  it('should say what is wrong instead of building params', () => {
    assert.equal(toAssistantParams(emptyAssistantForm('')), 'Pick a model.');
    assert.match(String(toAssistantParams({ ...emptyAssistantForm('m'), functions: '[{' })), /^Function tools are not valid JSON/);
    assert.equal(toAssistantParams({ ...emptyAssistantForm('m'), functions: '[{}]' }), 'Each function tool needs a "name".');
    assert.equal(fromMetadataRows([{ key: 'a', value: '1' }, { key: 'a', value: '2' }]), "Metadata key 'a' appears twice.");
    const hostile = fromMetadataRows([{ key: '__proto__', value: 'x' }]);
    assert.ok(typeof hostile !== 'string');
    assert.equal(Object.getPrototypeOf(hostile), null);
    assert.deepEqual(Object.entries(hostile), [['__proto__', 'x']]);
  });

  it('should read an assistant back into the form', () => {
    const a = {
      id: 'asst_1',
      object: 'assistant',
      created_at: 1,
      model: 'm1',
      name: null,
      description: null,
      instructions: 'Be brief.',
      tools: [{ type: 'code_interpreter' }, { type: 'function', function: { name: 'f' } }],
      tool_resources: { code_interpreter: { file_ids: ['file-1', 'file-2'] } },
      metadata: { k: 'v' },
    } satisfies Assistant;
    assert.deepEqual(toAssistantForm(a), {
      model: 'm1',
      name: '',
      instructions: 'Be brief.',
      fileSearch: false,
      codeInterpreter: true,
      functions: '[\n  {\n    "name": "f"\n  }\n]',
      vectorStoreIds: '',
      fileIds: 'file-1, file-2',
      metadata: [{ key: 'k', value: 'v' }],
    });
  });
});
