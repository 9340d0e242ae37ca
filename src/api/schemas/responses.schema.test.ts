import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import { toResponseObject } from '../../streaming/response-object.js';
import { validateCreateResponse } from './responses.schema.js';

const base = { model: 'gpt-4o', input: 'Hello' };
const withField = (key: string, value: unknown) => ({ ...base, [key]: value });
const withItems = (...input: unknown[]) => ({ model: 'gpt-4o', input });

function expectError(body: unknown, expected: { param: string | null; code: string; message: string }) {
  assert.throws(
    () => validateCreateResponse(body),
    (err: unknown) => {
      assert.ok(err instanceof ApiError, String(err));
      assert.deepEqual(
        { status: err.status, type: err.type, param: err.param, code: err.code, message: err.message },
        { status: 400, type: 'invalid_request_error', ...expected },
      );
      return true;
    },
  );
}

function expectValid(body: object) {
  const snapshot = structuredClone(body);
  assert.equal(validateCreateResponse(body), body);
  assert.deepEqual(body, snapshot, 'the body is returned as it came');
}

const weather = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
  strict: true,
};

describe('validateCreateResponse: what real clients send', () => {
  it('should accept the SDK README examples: a string input with instructions, and an image by URL', () => {
    expectValid({ model: 'gpt-4o', instructions: 'You are a coding assistant that talks like a pirate', input: 'Are semicolons optional in JavaScript?' });
    expectValid(
      withItems({
        role: 'user',
        content: [
          { type: 'input_text', text: 'what is in this image?' },
          { type: 'input_image', image_url: 'https://example.com/a.jpg', detail: 'auto' },
        ],
      }),
    );
  });

  it('should accept every input part: image by file_id, file by file_id / file_data+filename / file_url, audio', () => {
    expectValid(
      withItems({
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_image', file_id: 'file-abc' },
          { type: 'input_file', file_id: 'file-abc' },
          { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          { type: 'input_file', file_url: 'https://example.com/a.pdf' },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
        ],
      }),
    );
  });

  it('should accept a Codex request (instructions, typed items, reasoning with encrypted_content, hosted and custom tools, store false)', () => {
    expectValid({
      model: 'gpt-5-codex',
      instructions: 'You are Codex, based on GPT-5.',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>…</permissions>' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'list the files' }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Listing' }], encrypted_content: 'gAAAA…' },
        { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'call_1' },
        { type: 'function_call_output', call_id: 'call_1', output: 'README.md\nsrc' },
        { type: 'local_shell_call', call_id: 'call_2', status: 'completed', action: { type: 'exec', command: ['pwd'] } },
        { type: 'custom_tool_call', call_id: 'call_3', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'call_3', output: 'Done' },
        { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'x' } },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'README.md and src.' }] },
      ],
      tools: [
        { type: 'function', name: 'shell', description: 'Runs a command', strict: false, parameters: { type: 'object', properties: {} } },
        { type: 'local_shell' },
        { type: 'web_search', external_web_access: false },
        { type: 'custom', name: 'apply_patch', description: 'Edit files', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: '0199a6f1-8a7e-7c31-9e0c-4c8f1d2a3b4c',
      text: { verbosity: 'low', format: { type: 'json_schema', strict: true, schema: { type: 'object' }, name: 'codex_output_schema' } },
    });
  });

  it('should accept a Vercel AI SDK request (system message, item_reference, output_text with id, file tools, json_schema)', () => {
    expectValid({
      model: 'gpt-4o',
      input: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?', prompt_cache_breakpoint: { mode: 'explicit' } }] },
        { type: 'item_reference', id: 'msg_123' },
        { type: 'tool_search_call', id: 'ts_1', execution: 'server', call_id: null, status: 'completed', arguments: {} },
        { role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }], id: 'msg_456' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', id: 'fc_1' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_output_tokens: 1024,
      text: { format: { type: 'json_schema', strict: true, name: 'answer', description: 'The answer', schema: { type: 'object' } } },
      tools: [
        weather,
        { type: 'file_search', vector_store_ids: ['vs_1'], max_num_results: 5, ranking_options: { ranker: 'auto', score_threshold: 0.5 }, filters: { type: 'eq', key: 'a', value: 1 } },
        { type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-1'] } },
        { type: 'web_search_preview', search_context_size: 'medium', user_location: { type: 'approximate', city: 'Paris' } },
        { type: 'image_generation', output_format: 'png' },
      ],
      tool_choice: { type: 'function', name: 'get_weather' },
      store: true,
      metadata: { app: 'demo' },
      service_tier: 'auto',
      include: ['file_search_call.results'],
      stream: true,
    });
  });

  it('should accept an Agents SDK turn (typed output items passed back as they came, previous_response_id)', () => {
    expectValid({
      model: 'gpt-4.1',
      instructions: 'You are a helpful agent.',
      previous_response_id: 'resp_1',
      input: [
        { type: 'message', role: 'user', content: 'Hi' },
        {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          status: 'completed',
          phase: 'final_answer',
          content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }],
        },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{}', status: 'completed' },
        { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'sunny' }] },
        { type: 'file_search_call', id: 'fs_1', queries: ['q'], status: 'completed', results: null },
        { type: 'code_interpreter_call', id: 'ci_1', code: 'print(1)', container_id: 'cntr_1', status: 'completed', outputs: null },
        { type: 'reasoning', id: 'rs_1', summary: [] },
      ],
      tools: [weather, { type: 'code_interpreter', container: 'cntr_1' }, { type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.example' }],
      tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'get_weather' }] },
      parallel_tool_calls: true,
      truncation: 'auto',
      max_tool_calls: 3,
    });
  });

  it('should accept a LangChain ChatOpenAI (useResponsesApi) request with a conversation object', () => {
    expectValid({
      model: 'gpt-4o-mini',
      input: [
        { type: 'message', role: 'developer', content: 'You are terse.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }, { type: 'input_image', image_url: 'data:image/png;base64,iVBOR', detail: 'high' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
      ],
      conversation: { id: 'conv_1' },
      tool_choice: { type: 'file_search' },
      reasoning: { effort: 'low', summary: 'detailed' },
      user: 'u-1',
      safety_identifier: 'hash-1',
      top_logprobs: 2,
      stream_options: { include_obfuscation: false },
    });
  });

  it('should take an item with an id and neither type nor role as an item reference, as the spec allows', () => {
    expectValid(withItems({ id: 'msg_123' }, { type: null, id: 'fc_1' }, { role: 'user', content: 'Go on' }));
  });

  it('should accept null for every optional field, as OpenAI reads null as left out', () => {
    const keys = [
      'previous_response_id', 'prompt', 'include', 'tools', 'tool_choice', 'metadata', 'text', 'temperature', 'top_p',
      'presence_penalty', 'frequency_penalty', 'parallel_tool_calls', 'stream', 'stream_options', 'background',
      'max_output_tokens', 'max_tool_calls', 'reasoning', 'user', 'safety_identifier', 'prompt_cache_key',
      'prompt_cache_retention', 'truncation', 'instructions', 'store', 'service_tier', 'top_logprobs', 'conversation',
    ];
    expectValid({ ...base, ...Object.fromEntries(keys.map((k) => [k, null])) });
  });

  it('should keep unknown fields, at the top and inside items and tools', () => {
    expectValid({
      ...base,
      vendor_top_k: 40,
      tools: [{ ...weather, defer_loading: false }],
      input: [{ role: 'user', content: 'x', providerData: { a: 1 } }],
    });
  });

  it('should hand a validated body to the response object as it is (types and values)', () => {
    const request = validateCreateResponse({ ...base, store: false, prompt_cache_key: 'k', tools: [{ type: 'function', name: 'f' }] });
    const state = { id: 'resp_1', created_at: 1, status: 'queued', model: 'gpt-4o', output: [], usage: null, error: null, incomplete_details: null, completed_at: null } as const;
    const object = toResponseObject(request, { ...state, output: [] });
    assert.deepEqual([object.store, object.prompt_cache_key, object.tools], [false, 'k', [{ type: 'function', name: 'f', description: null, parameters: null, strict: true }]]);
  });

  it('should accept an empty input when a conversation or previous response carries the history', () => {
    expectValid({ ...base, input: [], previous_response_id: 'resp_1' });
    expectValid({ ...base, input: '', conversation: 'conv_1' });
  });
});

describe('validateCreateResponse: refused as OpenAI refuses', () => {
  const typeList =
    "'additional_tools', 'agent_message', 'apply_patch_call', 'apply_patch_call_output', 'code_interpreter_call', " +
    "'compaction', 'compaction_trigger', 'computer_call', 'computer_call_output', 'custom_tool_call', " +
    "'custom_tool_call_output', 'file_search_call', 'function_call', 'function_call_output', 'image_generation_call', " +
    "'item_reference', 'local_shell_call', 'local_shell_call_output', 'mcp_approval_request', 'mcp_approval_response', " +
    "'mcp_call', 'mcp_list_tools', 'message', 'multi_agent_call', 'multi_agent_call_output', 'program', " +
    "'program_output', 'reasoning', 'shell_call', 'shell_call_output', 'tool_search_call', 'tool_search_output', " +
    "and 'web_search_call'";
  const roles = "'assistant', 'system', 'developer', and 'user'";

  const cases: [string, unknown, { param: string | null; code: string; message: string }][] = [
    ['a body that is not an object', [], { param: null, code: 'invalid_type', message: 'Invalid type for body: expected an object.' }],
    ['no model', { input: 'x' }, { param: 'model', code: 'missing_required_parameter', message: "Missing required parameter: 'model'." }],
    ['no input', { model: 'm' }, { param: 'input', code: 'missing_required_parameter', message: "Missing required parameter: 'input'." }],
    ['input an object', withField('input', { a: 1 }), { param: 'input', code: 'invalid_type', message: "Invalid type for 'input': expected one of a string or array of input items, but got an object instead." }],
    ['an item that is a number', withItems({ role: 'user', content: 'a' }, 7), { param: 'input[1]', code: 'invalid_type', message: "Invalid type for 'input[1]': expected an input item, but got an integer instead." }],
    ['an item that is null', withItems(null), { param: 'input[0]', code: 'invalid_type', message: "Invalid type for 'input[0]': expected an input item, but got null instead." }],
    ['an unknown item type', withItems({ type: 'bogus_item' }), { param: 'input[0]', code: 'invalid_value', message: `Invalid value: 'bogus_item'. Supported values are: ${typeList}.` }],
    ['an item type that is not a string', withItems({ type: 7, role: 'user', content: 'x' }), { param: 'input[0]', code: 'invalid_value', message: `Invalid value: ''. Supported values are: ${typeList}.` }],
    ['an unknown role', withItems({ role: 'tool', content: 'x' }), { param: 'input[0]', code: 'invalid_value', message: `Invalid value: 'tool'. Supported values are: ${roles}.` }],
    ['an empty item', withItems({}), { param: 'input[0]', code: 'invalid_value', message: `Invalid value: ''. Supported values are: ${roles}.` }],
    ['a message without content', withItems({ role: 'user' }), { param: 'input[0].content', code: 'missing_required_parameter', message: "Missing required parameter: 'input[0].content'." }],
    ['an unknown part type', withItems({ role: 'user', content: 'a' }, { role: 'user', content: 'b' }, { role: 'user', content: [{ type: 'input_text', text: 'x' }, { type: 'text', text: 'x' }] }), {
      param: 'input[2].content[1].type',
      code: 'invalid_value',
      message: "Invalid value: 'text'. Supported values are: 'input_text', 'input_image', 'input_audio', 'output_text', 'refusal', 'input_file', 'computer_screenshot', 'summary_text', and 'encrypted_content'.",
    }],
    ['output_text from a user', withItems({ role: 'user', content: [{ type: 'output_text', text: 'x' }] }), { param: 'input[0].content[0]', code: 'invalid_value', message: "Invalid value: 'output_text'. Supported values are: 'input_text', 'input_image', 'input_file', and 'input_audio'." }],
    ['input_text from the assistant', withItems({ role: 'assistant', content: [{ type: 'input_text', text: 'x' }] }), { param: 'input[0].content[0]', code: 'invalid_value', message: "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'." }],
    ['a text part without text', withItems({ role: 'user', content: [{ type: 'input_text' }] }), { param: 'input[0].content[0].text', code: 'missing_required_parameter', message: "Missing required parameter: 'input[0].content[0].text'." }],
    ['a bad image detail', withItems({ role: 'user', content: [{ type: 'input_image', image_url: 'u', detail: 'max' }] }), { param: 'input[0].content[0].detail', code: 'invalid_value', message: "Invalid value: 'max'. Supported values are: 'low', 'high', 'auto', and 'original'." }],
    ['a function_call without call_id', withItems({ type: 'function_call', name: 'f', arguments: '{}' }), { param: 'input[0].call_id', code: 'missing_required_parameter', message: "Missing required parameter: 'input[0].call_id'." }],
    ['a function_call_output of the wrong type', withItems({ type: 'function_call_output', call_id: 'c', output: 7 }), { param: 'input[0].output', code: 'invalid_type', message: "Invalid type for 'input[0].output': expected one of a string or array of objects, but got an integer instead." }],
    ['an item_reference without id', withItems({ type: 'item_reference' }), { param: 'input[0].id', code: 'missing_required_parameter', message: "Missing required parameter: 'input[0].id'." }],
    ['a reasoning item without summary', withItems({ type: 'reasoning', id: 'rs_1' }), { param: 'input[0].summary', code: 'missing_required_parameter', message: "Missing required parameter: 'input[0].summary'." }],
    ['a tool without type', withField('tools', [{}]), { param: 'tools[0].type', code: 'missing_required_parameter', message: "Missing required parameter: 'tools[0].type'." }],
    ['a Chat-shaped function tool', withField('tools', [{ type: 'function', function: { name: 'f' } }]), { param: 'tools[0].name', code: 'missing_required_parameter', message: "Missing required parameter: 'tools[0].name'." }],
    ['a function name with a dot', withField('tools', [{ type: 'function', name: 'a.b' }]), { param: 'tools[0].name', code: 'invalid_value', message: "Invalid 'tools[0].name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'." }],
    ['file_search without vector stores', withField('tools', [{ type: 'file_search' }]), { param: 'tools[0].vector_store_ids', code: 'missing_required_parameter', message: "Missing required parameter: 'tools[0].vector_store_ids'." }],
    ['file_search max_num_results 51', withField('tools', [{ type: 'file_search', vector_store_ids: [], max_num_results: 51 }]), { param: 'tools[0].max_num_results', code: 'integer_above_max_value', message: "Invalid 'tools[0].max_num_results': integer above maximum value. Expected a value <= 50, but got 51 instead." }],
    ['code_interpreter without container', withField('tools', [{ type: 'code_interpreter' }]), { param: 'tools[0].container', code: 'missing_required_parameter', message: "Missing required parameter: 'tools[0].container'." }],
    ['tool_choice a number', withField('tool_choice', 7), { param: 'tool_choice', code: 'invalid_type', message: "Invalid type for 'tool_choice': expected one of an object or 'none', 'auto', or 'required', but got an integer instead." }],
    ['tool_choice an unknown mode', withField('tool_choice', 'bogus'), { param: 'tool_choice', code: 'invalid_value', message: "Invalid value: 'bogus'. Supported values are: 'none', 'auto', and 'required'." }],
    ['a Chat-shaped tool_choice', withField('tool_choice', { type: 'function', function: { name: 'f' } }), { param: 'tool_choice.name', code: 'missing_required_parameter', message: "Missing required parameter: 'tool_choice.name'." }],
    ['text.format unknown', withField('text', { format: { type: 'bogus' } }), { param: 'text.format.type', code: 'invalid_value', message: "Invalid value: 'bogus'. Supported values are: 'json_object', 'text', and 'json_schema'." }],
    ['json_schema without name', withField('text', { format: { type: 'json_schema', schema: {} } }), { param: 'text.format.name', code: 'missing_required_parameter', message: "Missing required parameter: 'text.format.name'." }],
    ['text.verbosity unknown', withField('text', { verbosity: 'bogus' }), { param: 'text.verbosity', code: 'invalid_value', message: "Invalid value: 'bogus'. Supported values are: 'low', 'medium', and 'high'." }],
    ['temperature 2.5', withField('temperature', 2.5), { param: 'temperature', code: 'decimal_above_max_value', message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 2.5 instead." }],
    ['temperature a string', withField('temperature', 'hot'), { param: 'temperature', code: 'invalid_type', message: "Invalid type for 'temperature': expected a decimal, but got a string instead." }],
    ['top_p 1.5', withField('top_p', 1.5), { param: 'top_p', code: 'decimal_above_max_value', message: "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead." }],
    ['max_output_tokens 15', withField('max_output_tokens', 15), { param: 'max_output_tokens', code: 'integer_below_min_value', message: "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 15 instead." }],
    ['max_output_tokens a decimal', withField('max_output_tokens', 16.5), { param: 'max_output_tokens', code: 'invalid_type', message: "Invalid type for 'max_output_tokens': expected an integer, but got a decimal instead." }],
    ['max_tool_calls 0', withField('max_tool_calls', 0), { param: 'max_tool_calls', code: 'integer_below_min_value', message: "Invalid 'max_tool_calls': integer below minimum value. Expected a value >= 1, but got 0 instead." }],
    ['top_logprobs 21', withField('top_logprobs', 21), { param: 'top_logprobs', code: 'integer_above_max_value', message: "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead." }],
    ['reasoning a string', withField('reasoning', 'low'), { param: 'reasoning', code: 'invalid_type', message: "Invalid type for 'reasoning': expected an object, but got a string instead." }],
    ['reasoning.effort unknown', withField('reasoning', { effort: 'bogus' }), { param: 'reasoning.effort', code: 'invalid_value', message: "Invalid value: 'bogus'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', 'xhigh', and 'max'." }],
    ['reasoning.summary unknown', withField('reasoning', { summary: 'bogus' }), { param: 'reasoning.summary', code: 'invalid_value', message: "Invalid value: 'bogus'. Supported values are: 'concise', 'detailed', and 'auto'." }],
    ['truncation unknown', withField('truncation', 'bogus'), { param: 'truncation', code: 'invalid_value', message: "Invalid value: 'bogus'. Supported values are: 'auto' and 'disabled'." }],
    ['include unknown', withField('include', ['bogus.thing']), {
      param: 'include[0]',
      code: 'invalid_value',
      message:
        "Invalid value: 'bogus.thing'. Supported values are: 'file_search_call.results', 'web_search_call.results', " +
        "'web_search_call.action.sources', 'message.input_image.image_url', 'computer_call_output.output.image_url', " +
        "'code_interpreter_call.outputs', 'reasoning.encrypted_content', and 'message.output_text.logprobs'.",
    }],
    ['metadata with 17 keys', withField('metadata', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))), { param: 'metadata', code: 'object_above_max_properties', message: "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead." }],
    ['stream a string', withField('stream', 'yes'), { param: 'stream', code: 'invalid_type', message: "Invalid type for 'stream': expected a boolean, but got a string instead." }],
    ['store a string', withField('store', 'yes'), { param: 'store', code: 'invalid_type', message: "Invalid type for 'store': expected a boolean, but got a string instead." }],
    ['instructions an object', withField('instructions', { a: 1 }), { param: 'instructions', code: 'invalid_type', message: "Invalid type for 'instructions': expected a string, but got an object instead." }],
    ['safety_identifier of 65 characters', withField('safety_identifier', 'x'.repeat(65)), { param: 'safety_identifier', code: 'string_above_max_length', message: "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got a string with length 65 instead." }],
    ['conversation a number', withField('conversation', 7), { param: 'conversation', code: 'invalid_type', message: "Invalid type for 'conversation': expected one of a string or object, but got an integer instead." }],
    ['previous_response_id with conversation', { ...base, previous_response_id: 'resp_1', conversation: { id: 'conv_1' } }, { param: null, code: 'mutually_exclusive_parameters', message: "Mutually exclusive parameters. Ensure you are only providing one of: 'previous_response_id' or 'conversation'." }],
    ['an empty input and no history', withField('input', []), { param: null, code: 'missing_required_parameter', message: `One of "input" or "previous_response_id" or 'prompt' or 'conversation' must be provided.` }],
    ['tools a string', withField('tools', 'x'), { param: 'tools', code: 'invalid_type', message: "Invalid type for 'tools': expected an array of tools, but got a string instead." }],
    ['metadata a string', withField('metadata', 'x'), { param: 'metadata', code: 'invalid_type', message: "Invalid type for 'metadata': expected a metadata object, but got a string instead." }],
    ['truncation an object', withField('truncation', { a: 1 }), { param: 'truncation', code: 'invalid_type', message: "Invalid type for 'truncation': expected one of 'auto' or 'disabled', but got an object instead." }],
    ['service_tier a number', withField('service_tier', 1), { param: 'service_tier', code: 'invalid_type', message: "Invalid type for 'service_tier': expected one of 'auto', 'default', 'flex', 'scale', or 'priority', but got an integer instead." }],
    ['prompt_cache_retention unknown', withField('prompt_cache_retention', 'x'), { param: 'prompt_cache_retention', code: 'invalid_value', message: "Invalid value: 'x'. Supported values are: 'in_memory' and '24h'." }],
    ['two problems: input is named before truncation', { ...base, input: 7, truncation: 'bogus' }, { param: 'input', code: 'invalid_type', message: "Invalid type for 'input': expected one of a string or array of input items, but got an integer instead." }],
    ['two problems: a bad item is named before a later field', { ...base, input: [{}], truncation: 'bogus' }, { param: 'input[0]', code: 'invalid_value', message: `Invalid value: ''. Supported values are: ${roles}.` }],
    ['two problems: tools before metadata', { ...base, tools: [{}], metadata: 'x' }, { param: 'tools[0].type', code: 'missing_required_parameter', message: "Missing required parameter: 'tools[0].type'." }],
  ];

  for (const [name, body, expected] of cases) {
    it(`should refuse ${name}`, () => expectError(body, expected));
  }

  it('should refuse an unknown tool type, listing the tool types it takes', () => {
    assert.throws(
      () => validateCreateResponse(withField('tools', [{ type: 'browser' }])),
      (err: unknown) =>
        err instanceof ApiError &&
        err.param === 'tools[0].type' &&
        err.message.startsWith("Invalid value: 'browser'. Supported values are: 'function', 'file_search', 'code_interpreter', 'web_search'"),
    );
  });
});
