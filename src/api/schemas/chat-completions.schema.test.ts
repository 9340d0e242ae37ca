import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors.js';
import { validateChatCompletionRequest } from './chat-completions.schema.js';

const user = { role: 'user', content: 'Hello' };
const base = () => ({ model: 'gpt-4o', messages: [user] });
const withField = (key: string, value: unknown) => ({ ...base(), [key]: value });
const withMessage = (message: unknown) => ({ model: 'gpt-4o', messages: [message] });

function expectError(body: unknown, expected: { param: string | null; code: string; message: string | RegExp }) {
  assert.throws(
    () => validateChatCompletionRequest(body),
    (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 400);
      assert.equal(err.type, 'invalid_request_error');
      assert.equal(err.param, expected.param);
      assert.equal(err.code, expected.code);
      if (typeof expected.message === 'string') assert.equal(err.message, expected.message);
      else assert.match(err.message, expected.message);
      return true;
    },
  );
}

const weatherTool = {
  type: 'function',
  function: {
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
  },
};

describe('validateChatCompletionRequest: accepted requests', () => {
  it('should accept a minimal request and return the same object', () => {
    const body = base();
    assert.equal(validateChatCompletionRequest(body), body);
  });

  it('should keep unknown top-level vendor fields untouched', () => {
    const body = { ...base(), top_k: 40, repetition_penalty: 1.1, chat_template_kwargs: { enable_thinking: false } };
    const snapshot = structuredClone(body);
    const out = validateChatCompletionRequest(body);
    assert.equal(out, body);
    assert.deepEqual(body, snapshot);
    assert.equal(out.top_k, 40);
  });

  it('should accept name on a tool message and $schema inside tool parameters without stripping them', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        user,
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', name: 'get_weather', content: 'sunny' },
      ],
      tools: [weatherTool],
    };
    const snapshot = structuredClone(body);
    validateChatCompletionRequest(body);
    assert.deepEqual(body, snapshot);
  });

  it('should accept null for every optional nullable field', () => {
    const nulls = Object.fromEntries(
      [
        'temperature', 'top_p', 'n', 'stream', 'stream_options', 'stop', 'max_tokens', 'max_completion_tokens',
        'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'seed', 'metadata', 'tools',
        'tool_choice', 'response_format', 'user', 'parallel_tool_calls',
      ].map((k) => [k, null]),
    );
    assert.doesNotThrow(() => validateChatCompletionRequest({ ...base(), ...nulls }));
  });

  it('should accept every message role and content-part type OpenAI supports', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'system', content: 'You are helpful.' },
        {
          role: 'user',
          name: 'alice',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
            { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            { type: 'file', file: { file_id: 'file-abc' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'A cat.' }, { type: 'refusal', refusal: 'No.' }] },
        { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } },
        { role: 'function', name: 'f', content: null },
        { role: 'assistant', audio: { id: 'audio_1' } },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'ok' }] },
      ],
    };
    assert.equal(validateChatCompletionRequest(body), body);
  });

  it('should accept all sampling and output options inside their ranges', () => {
    const body = {
      ...base(),
      n: 128, temperature: 2, top_p: 0, presence_penalty: -2, frequency_penalty: 2, max_tokens: 1,
      max_completion_tokens: 4096, logprobs: true, top_logprobs: 20, stream: true,
      stream_options: { include_usage: true }, stop: ['a', 'b', 'c', 'd'], seed: 42, user: 'u-1',
      metadata: { team: 'search' }, parallel_tool_calls: false,
    };
    assert.doesNotThrow(() => validateChatCompletionRequest(body));
    assert.doesNotThrow(() => validateChatCompletionRequest(withField('stop', '\n')));
  });

  it('should accept a seed outside the safe-integer range, as OpenAI takes int64 seeds', () => {
    assert.doesNotThrow(() => validateChatCompletionRequest(withField('seed', 2 ** 62)));
  });

  it('should accept function and custom tools with every tool_choice form', () => {
    const custom = { type: 'custom', custom: { name: 'sql', format: { type: 'grammar', grammar: { definition: 'x', syntax: 'lark' } } } };
    const choices = [
      'none', 'auto', 'required',
      { type: 'function', function: { name: 'get_weather' } },
      { type: 'custom', custom: { name: 'sql' } },
      { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'get_weather' } }] } },
    ];
    for (const tool_choice of choices) {
      assert.doesNotThrow(() => validateChatCompletionRequest({ ...base(), tools: [weatherTool, custom], tool_choice }));
    }
  });

  it('should accept every response_format type', () => {
    const formats = [
      { type: 'text' },
      { type: 'json_object' },
      { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: { type: 'object' } } },
    ];
    for (const response_format of formats) {
      assert.doesNotThrow(() => validateChatCompletionRequest(withField('response_format', response_format)));
    }
  });
});

describe('validateChatCompletionRequest: body and required fields', () => {
  it('should reject a JSON array body', () => {
    expectError([], { param: null, code: 'invalid_type', message: 'Invalid type for body: expected an object.' });
  });

  it('should reject a JSON string or null body', () => {
    for (const body of ['hello', null, 42]) {
      expectError(body, { param: null, code: 'invalid_type', message: 'Invalid type for body: expected an object.' });
    }
  });

  it('should report a missing model', () => {
    expectError({ messages: [user] }, {
      param: 'model', code: 'missing_required_parameter', message: "Missing required parameter: 'model'.",
    });
  });

  it('should report missing messages', () => {
    expectError({ model: 'gpt-4o' }, {
      param: 'messages', code: 'missing_required_parameter', message: "Missing required parameter: 'messages'.",
    });
  });

  it('should report a non-string model', () => {
    expectError({ ...base(), model: 4 }, {
      param: 'model', code: 'invalid_type',
      message: "Invalid type for 'model': expected a string, but got an integer instead.",
    });
  });

  it('should report an empty messages array', () => {
    expectError({ model: 'gpt-4o', messages: [] }, {
      param: 'messages', code: 'empty_array',
      message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
    });
  });

  it('should report messages that are not an array', () => {
    expectError({ model: 'gpt-4o', messages: 'hi' }, {
      param: 'messages', code: 'invalid_type',
      message: "Invalid type for 'messages': expected an array, but got a string instead.",
    });
  });
});

describe('validateChatCompletionRequest: numeric and boolean parameters', () => {
  it('should report a string temperature as invalid_type', () => {
    expectError(withField('temperature', '0.7'), {
      param: 'temperature', code: 'invalid_type',
      message: "Invalid type for 'temperature': expected a decimal, but got a string instead.",
    });
  });

  it('should report temperature above 2', () => {
    expectError(withField('temperature', 3), {
      param: 'temperature', code: 'decimal_above_max_value',
      message: "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
    });
  });

  it('should report temperature below 0', () => {
    expectError(withField('temperature', -0.5), {
      param: 'temperature', code: 'decimal_below_min_value',
      message: "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.5 instead.",
    });
  });

  it('should report top_p above 1', () => {
    expectError(withField('top_p', 1.5), {
      param: 'top_p', code: 'decimal_above_max_value',
      message: "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead.",
    });
  });

  it('should report presence_penalty and frequency_penalty outside -2..2', () => {
    expectError(withField('presence_penalty', -3), {
      param: 'presence_penalty', code: 'decimal_below_min_value', message: /Expected a value >= -2, but got -3 instead\.$/,
    });
    expectError(withField('frequency_penalty', 2.5), {
      param: 'frequency_penalty', code: 'decimal_above_max_value', message: /Expected a value <= 2, but got 2.5 instead\.$/,
    });
  });

  it('should report n below 1 and above 128', () => {
    expectError(withField('n', 0), {
      param: 'n', code: 'integer_below_min_value',
      message: "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    });
    expectError(withField('n', 129), {
      param: 'n', code: 'integer_above_max_value',
      message: "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead.",
    });
  });

  it('should report a fractional n as invalid_type', () => {
    expectError(withField('n', 1.5), {
      param: 'n', code: 'invalid_type', message: "Invalid type for 'n': expected an integer, but got a decimal instead.",
    });
  });

  it('should report max_tokens of 0 and a string max_completion_tokens', () => {
    expectError(withField('max_tokens', 0), {
      param: 'max_tokens', code: 'integer_below_min_value',
      message: "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    });
    expectError(withField('max_completion_tokens', '100'), {
      param: 'max_completion_tokens', code: 'invalid_type',
      message: "Invalid type for 'max_completion_tokens': expected an integer, but got a string instead.",
    });
  });

  it('should report top_logprobs above 20', () => {
    expectError(withField('top_logprobs', 21), {
      param: 'top_logprobs', code: 'integer_above_max_value',
      message: "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead.",
    });
  });

  it('should report non-boolean stream, logprobs and parallel_tool_calls', () => {
    for (const key of ['stream', 'logprobs', 'parallel_tool_calls']) {
      expectError(withField(key, 'true'), {
        param: key, code: 'invalid_type', message: `Invalid type for '${key}': expected a boolean, but got a string instead.`,
      });
    }
  });

  it('should report a non-boolean stream_options.include_usage', () => {
    expectError({ ...base(), stream: true, stream_options: { include_usage: 1 } }, {
      param: 'stream_options.include_usage', code: 'invalid_type',
      message: "Invalid type for 'stream_options.include_usage': expected a boolean, but got an integer instead.",
    });
  });

  it('should report a fractional seed and a non-string user', () => {
    expectError(withField('seed', 1.5), { param: 'seed', code: 'invalid_type', message: /expected an integer, but got a decimal/ });
    expectError(withField('user', 7), { param: 'user', code: 'invalid_type', message: /expected a string, but got an integer/ });
  });
});

describe('validateChatCompletionRequest: messages', () => {
  it('should report an unknown role with the supported values', () => {
    expectError(withMessage({ role: 'foo', content: 'x' }), {
      param: 'messages[0].role', code: 'invalid_value',
      message: "Invalid value: 'foo'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
    });
  });

  it('should report a missing role', () => {
    expectError(withMessage({ content: 'x' }), {
      param: 'messages[0].role', code: 'missing_required_parameter', message: "Missing required parameter: 'messages[0].role'.",
    });
  });

  it('should report a message that is not an object', () => {
    expectError({ model: 'gpt-4o', messages: [user, 'hi'] }, {
      param: 'messages[1]', code: 'invalid_type',
      message: "Invalid type for 'messages[1]': expected an object, but got a string instead.",
    });
  });

  it('should report a user message without content', () => {
    expectError(withMessage({ role: 'user' }), {
      param: 'messages[0].content', code: 'missing_required_parameter',
      message: "Missing required parameter: 'messages[0].content'.",
    });
  });

  it('should report content that is neither a string nor an array', () => {
    expectError(withMessage({ role: 'user', content: 5 }), {
      param: 'messages[0].content', code: 'invalid_type',
      message: "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead.",
    });
  });

  it('should report an empty content array', () => {
    expectError(withMessage({ role: 'system', content: [] }), {
      param: 'messages[0].content', code: 'empty_array',
      message: "Invalid 'messages[0].content': empty array. Expected an array with minimum length 1, but got an empty array instead.",
    });
  });

  it('should report an unknown content part type at its nested path', () => {
    expectError(withMessage({ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'video', video: {} }] }), {
      param: 'messages[0].content[1].type', code: 'invalid_value',
      message: "Invalid value: 'video'. Supported values are: 'text', 'image_url', 'input_audio', and 'file'.",
    });
  });

  it('should report an image part in a system message', () => {
    expectError(withMessage({ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }), {
      param: 'messages[0].content[0].type', code: 'invalid_value',
      message: "Invalid value: 'image_url'. Supported values are: 'text'.",
    });
  });

  it('should report an image_url part without url', () => {
    expectError(withMessage({ role: 'user', content: [{ type: 'image_url', image_url: { detail: 'low' } }] }), {
      param: 'messages[0].content[0].image_url.url', code: 'missing_required_parameter',
      message: "Missing required parameter: 'messages[0].content[0].image_url.url'.",
    });
  });

  it('should report a text part whose text is not a string', () => {
    expectError(withMessage({ role: 'user', content: [{ type: 'text', text: 1 }] }), {
      param: 'messages[0].content[0].text', code: 'invalid_type',
      message: "Invalid type for 'messages[0].content[0].text': expected a string, but got an integer instead.",
    });
  });

  it('should report an assistant message with neither content nor tool_calls', () => {
    expectError({ model: 'gpt-4o', messages: [user, { role: 'assistant' }] }, {
      param: 'messages[1].content', code: 'missing_required_parameter',
      message: "Missing required parameter: 'messages[1].content'.",
    });
    expectError({ model: 'gpt-4o', messages: [user, { role: 'assistant', content: null }] }, {
      param: 'messages[1].content', code: 'invalid_type',
      message: "Invalid type for 'messages[1].content': expected one of a string or array of objects, but got null instead.",
    });
  });

  it('should report a tool message without tool_call_id', () => {
    expectError(withMessage({ role: 'tool', content: 'sunny' }), {
      param: 'messages[0].tool_call_id', code: 'missing_required_parameter',
      message: "Missing required parameter: 'messages[0].tool_call_id'.",
    });
  });
});

describe('validateChatCompletionRequest: stop, tools, tool_choice, response_format, metadata', () => {
  it('should report more than 4 stop sequences', () => {
    expectError(withField('stop', ['a', 'b', 'c', 'd', 'e']), {
      param: 'stop', code: 'array_above_max_length',
      message: "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
    });
  });

  it('should report a stop of the wrong type, and a non-string stop entry at its index', () => {
    expectError(withField('stop', 5), {
      param: 'stop', code: 'invalid_type',
      message: "Invalid type for 'stop': expected one of a string or array of strings, but got an integer instead.",
    });
    expectError(withField('stop', ['a', 5]), {
      param: 'stop[1]', code: 'invalid_type', message: "Invalid type for 'stop[1]': expected a string, but got an integer instead.",
    });
  });

  it('should report a function name that does not match the pattern', () => {
    expectError(withField('tools', [{ type: 'function', function: { name: 'get weather' } }]), {
      param: 'tools[0].function.name', code: 'invalid_value',
      message: "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
    });
  });

  it('should report a function name longer than 64 characters', () => {
    expectError(withField('tools', [weatherTool, { type: 'function', function: { name: 'f'.repeat(65) } }]), {
      param: 'tools[1].function.name', code: 'string_above_max_length',
      message: "Invalid 'tools[1].function.name': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
    });
  });

  it('should report a tool without a function name', () => {
    expectError(withField('tools', [{ type: 'function', function: { description: 'x' } }]), {
      param: 'tools[0].function.name', code: 'missing_required_parameter',
      message: "Missing required parameter: 'tools[0].function.name'.",
    });
  });

  it('should report an unknown tool type', () => {
    expectError(withField('tools', [{ type: 'web_search' }]), {
      param: 'tools[0].type', code: 'invalid_value',
      message: "Invalid value: 'web_search'. Supported values are: 'function' and 'custom'.",
    });
  });

  it('should report function parameters that are not an object', () => {
    expectError(withField('tools', [{ type: 'function', function: { name: 'f', parameters: '{}' } }]), {
      param: 'tools[0].function.parameters', code: 'invalid_type',
      message: "Invalid type for 'tools[0].function.parameters': expected an object, but got a string instead.",
    });
  });

  it('should report an unknown tool_choice string', () => {
    expectError(withField('tool_choice', 'any'), {
      param: 'tool_choice', code: 'invalid_value',
      message: "Invalid value: 'any'. Supported values are: 'none', 'auto', and 'required'.",
    });
  });

  it('should report a tool_choice object without its function', () => {
    expectError(withField('tool_choice', { type: 'function' }), {
      param: 'tool_choice.function', code: 'missing_required_parameter',
      message: "Missing required parameter: 'tool_choice.function'.",
    });
  });

  it('should report a tool_choice of the wrong type', () => {
    expectError(withField('tool_choice', true), {
      param: 'tool_choice', code: 'invalid_type',
      message: "Invalid type for 'tool_choice': expected one of a string or object, but got a boolean instead.",
    });
  });

  it('should report an unknown response_format type', () => {
    expectError(withField('response_format', { type: 'xml' }), {
      param: 'response_format.type', code: 'invalid_value',
      message: "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'.",
    });
  });

  it('should report a json_schema response_format without a name', () => {
    expectError(withField('response_format', { type: 'json_schema', json_schema: { schema: {} } }), {
      param: 'response_format.json_schema.name', code: 'missing_required_parameter',
      message: "Missing required parameter: 'response_format.json_schema.name'.",
    });
  });

  it('should report metadata with more than 16 pairs', () => {
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    expectError(withField('metadata', metadata), {
      param: 'metadata', code: 'object_above_max_properties',
      message: "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, but got an object with 17 properties instead.",
    });
  });

  it('should report a non-string metadata value at its key', () => {
    expectError(withField('metadata', { team: 1 }), {
      param: 'metadata.team', code: 'invalid_type',
      message: "Invalid type for 'metadata.team': expected a string, but got an integer instead.",
    });
  });
});

describe('validateChatCompletionRequest: throughput', () => {
  it('should print validations per second for a 3-message request with 2 tools', () => {
    const body = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'What is the weather in Paris and the time in Tokyo?' },
        { role: 'assistant', content: 'Let me check.' },
      ],
      tools: [weatherTool, { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }],
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    };
    const iterations = 20_000;
    for (let i = 0; i < 1_000; i++) validateChatCompletionRequest(body);
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) validateChatCompletionRequest(body);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`validateChatCompletionRequest: ${Math.round(iterations / seconds).toLocaleString('en-US')} validations/s`);
  });
});
