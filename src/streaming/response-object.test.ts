import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Response, ResponseOutputItem } from 'openai/resources/responses/responses';
import { toResponseObject, toResponseUsage, type ResponseObject, type ResponseState } from './response-object.js';

const inProgress: ResponseState = {
  id: 'resp_1',
  created_at: 1_700_000_000,
  status: 'in_progress',
  model: 'gpt-4o-2024-08-06',
  output: [],
  usage: null,
  error: null,
  incomplete_details: null,
  completed_at: null,
};

const answer: ResponseOutputItem = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  status: 'completed',
  content: [{ type: 'output_text', text: 'Hi!', annotations: [] }],
};

/** Compile-time: apart from the fields OpenAI sends as null that the SDK types as optional, the object is an SDK Response. */
const asSdkResponse = (o: ResponseObject): Omit<Response, 'output_text' | 'user' | 'usage'> => o;

describe('toResponseObject', () => {
  it('should echo OpenAI’s default for every option the request left out', () => {
    const object = toResponseObject({ model: 'gpt-4o' }, inProgress);
    assert.deepEqual(object, {
      id: 'resp_1',
      object: 'response',
      created_at: 1_700_000_000,
      status: 'in_progress',
      background: false,
      completed_at: null,
      conversation: null,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      max_tool_calls: null,
      model: 'gpt-4o-2024-08-06',
      output: [],
      parallel_tool_calls: true,
      presence_penalty: 0,
      frequency_penalty: 0,
      previous_response_id: null,
      prompt_cache_key: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: 'default',
      store: true,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      usage: null,
      user: null,
      metadata: {},
    });
    asSdkResponse(object);
  });

  it('should read null options as left out', () => {
    const nulls = toResponseObject(
      {
        model: 'gpt-4o',
        instructions: null,
        temperature: null,
        top_p: null,
        store: null,
        background: null,
        truncation: null,
        metadata: null,
        tools: null,
        reasoning: null,
        conversation: null,
        service_tier: null,
        parallel_tool_calls: null,
        max_tool_calls: null,
      },
      inProgress,
    );
    assert.deepEqual(nulls, toResponseObject({ model: 'gpt-4o' }, inProgress));
  });

  it('should send every field OpenAI’s spec and the Open Responses spec require, none undefined, no output_text', () => {
    const object = toResponseObject({ model: 'gpt-4o' }, inProgress);
    // OpenAI's `Response.required`, then what Open Responses' `ResponseResource.required` adds
    const required = ['id', 'object', 'created_at', 'error', 'incomplete_details', 'instructions', 'model', 'tools',
      'output', 'parallel_tool_calls', 'metadata', 'tool_choice', 'temperature', 'top_p',
      'completed_at', 'status', 'previous_response_id', 'truncation', 'text', 'presence_penalty', 'frequency_penalty',
      'top_logprobs', 'reasoning', 'user', 'usage', 'max_output_tokens', 'max_tool_calls', 'store', 'background',
      'service_tier', 'safety_identifier', 'prompt_cache_key'];
    for (const key of required) assert.ok(key in object, key);
    assert.deepEqual(JSON.parse(JSON.stringify(object)), object, 'no undefined member is dropped on the wire');
    assert.equal('output_text' in object, false);
  });

  it('should echo every option the request gave', () => {
    const object = toResponseObject(
      {
        model: 'gpt-4o',
        instructions: 'Be brief.',
        temperature: 0.2,
        top_p: 0.5,
        top_logprobs: 3,
        presence_penalty: 0.1,
        frequency_penalty: -0.1,
        max_output_tokens: 256,
        max_tool_calls: 2,
        parallel_tool_calls: false,
        truncation: 'auto',
        reasoning: { effort: 'low', summary: 'concise' },
        text: { format: { type: 'json_schema', name: 'a', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
        tool_choice: { type: 'function', name: 'get_weather' },
        store: false,
        background: true,
        service_tier: 'flex',
        metadata: { app: 'demo' },
        safety_identifier: 'hash-1',
        prompt_cache_key: 'key-1',
        previous_response_id: 'resp_0',
        user: 'u-1',
      },
      inProgress,
    );
    assert.deepEqual(
      {
        instructions: object.instructions,
        temperature: object.temperature,
        top_p: object.top_p,
        top_logprobs: object.top_logprobs,
        presence_penalty: object.presence_penalty,
        frequency_penalty: object.frequency_penalty,
        max_output_tokens: object.max_output_tokens,
        max_tool_calls: object.max_tool_calls,
        parallel_tool_calls: object.parallel_tool_calls,
        truncation: object.truncation,
        reasoning: object.reasoning,
        text: object.text,
        tool_choice: object.tool_choice,
        store: object.store,
        background: object.background,
        service_tier: object.service_tier,
        metadata: object.metadata,
        safety_identifier: object.safety_identifier,
        prompt_cache_key: object.prompt_cache_key,
        previous_response_id: object.previous_response_id,
        user: object.user,
      },
      {
        instructions: 'Be brief.',
        temperature: 0.2,
        top_p: 0.5,
        top_logprobs: 3,
        presence_penalty: 0.1,
        frequency_penalty: -0.1,
        max_output_tokens: 256,
        max_tool_calls: 2,
        parallel_tool_calls: false,
        truncation: 'auto',
        reasoning: { effort: 'low', summary: 'concise' },
        text: { format: { type: 'json_schema', name: 'a', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
        tool_choice: { type: 'function', name: 'get_weather' },
        store: false,
        background: true,
        service_tier: 'flex',
        metadata: { app: 'demo' },
        safety_identifier: 'hash-1',
        prompt_cache_key: 'key-1',
        previous_response_id: 'resp_0',
        user: 'u-1',
      },
    );
  });

  it('should show a conversation given by id or by object as {id}', () => {
    assert.deepEqual(toResponseObject({ conversation: 'conv_1' }, inProgress).conversation, { id: 'conv_1' });
    assert.deepEqual(toResponseObject({ conversation: { id: 'thread_1' } }, inProgress).conversation, { id: 'thread_1' });
  });

  it('should report the tier that served an auto request as default', () => {
    assert.equal(toResponseObject({ service_tier: 'auto' }, inProgress).service_tier, 'default');
  });

  it('should take the deprecated reasoning.generate_summary as summary', () => {
    assert.deepEqual(toResponseObject({ reasoning: { generate_summary: 'auto' } }, inProgress).reasoning, {
      effort: null,
      summary: 'auto',
    });
  });

  it('should echo tools with the members OpenAI fills in', () => {
    const { tools } = toResponseObject(
      {
        tools: [
          { type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false, description: 'Weather' },
          { type: 'function', name: 'ping' },
          { type: 'file_search', vector_store_ids: ['vs_1'] },
          { type: 'file_search', vector_store_ids: ['vs_2'], max_num_results: 5, ranking_options: { score_threshold: 0.4 } },
          { type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-1'] } },
          { type: 'web_search_preview' },
        ],
      },
      inProgress,
    );
    assert.deepEqual(tools, [
      { type: 'function', name: 'get_weather', parameters: { type: 'object' }, strict: false, description: 'Weather' },
      { type: 'function', name: 'ping', description: null, parameters: null, strict: true },
      { type: 'file_search', vector_store_ids: ['vs_1'], filters: null, max_num_results: 20, ranking_options: { ranker: 'auto', score_threshold: 0 } },
      { type: 'file_search', vector_store_ids: ['vs_2'], filters: null, max_num_results: 5, ranking_options: { ranker: 'auto', score_threshold: 0.4 } },
      { type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-1'] } },
      { type: 'web_search_preview' },
    ]);
  });

  it('should show the state of a finished response: output, usage, completed_at', () => {
    const usage = toResponseUsage({ input_tokens: 10, output_tokens: 3 });
    const object = toResponseObject({ model: 'gpt-4o' }, { ...inProgress, status: 'completed', output: [answer], usage, completed_at: 1_700_000_002 });
    assert.deepEqual(
      { status: object.status, output: object.output, usage: object.usage, completed_at: object.completed_at },
      { status: 'completed', output: [answer], usage, completed_at: 1_700_000_002 },
    );
  });

  it('should show why a response is incomplete or failed', () => {
    const incomplete = toResponseObject({}, { ...inProgress, status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    assert.deepEqual(incomplete.incomplete_details, { reason: 'max_output_tokens' });
    const failed = toResponseObject({}, { ...inProgress, status: 'failed', error: { code: 'server_error', message: 'boom' } });
    assert.deepEqual(failed.error, { code: 'server_error', message: 'boom' });
  });
});

describe('toResponseUsage', () => {
  it('should give every detail OpenAI reports, zero when unknown, and the total', () => {
    assert.deepEqual(toResponseUsage({ input_tokens: 328, output_tokens: 52 }), {
      input_tokens: 328,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 52,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 380,
    });
  });

  it('should carry cached and reasoning tokens', () => {
    const usage = toResponseUsage({ input_tokens: 100, output_tokens: 40, cached_tokens: 64, reasoning_tokens: 30 });
    assert.equal(usage.input_tokens_details.cached_tokens, 64);
    assert.equal(usage.output_tokens_details.reasoning_tokens, 30);
  });
});
