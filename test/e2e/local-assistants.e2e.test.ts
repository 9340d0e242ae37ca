import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import { z } from 'zod';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { tinyModelPath } from '../support/tiny-model.js';

// The Assistants API over an in-process GGUF model: runs and the one-call assistant chat go
// through the same ChatModel interface as upstream models. The tiny test model writes noise, so the
// runs end where a grammar ends them (forced calls, json_schema) or at a token limit.

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 12 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};
const weatherArgs = z.strictObject({ city: z.string().max(12), unit: z.enum(['celsius', 'fahrenheit']) });

const answerFormat = {
  type: 'json_schema' as const,
  json_schema: {
    name: 'answer',
    schema: {
      type: 'object',
      properties: { summary: { type: 'string', maxLength: 16 }, sunny: { type: 'boolean' } },
      required: ['summary', 'sunny'],
      additionalProperties: false,
    },
  },
};
const answer = z.strictObject({ summary: z.string().max(16), sunny: z.boolean() });

const textOf = (m: OpenAI.Beta.Threads.Message) => m.content.map((c) => (c.type === 'text' ? c.text.value : '')).join('');

for (const dialect of testDialects()) {
  describe(`assistants on a local model (${dialect})`, () => {
    let app: TestApp;
    let client: OpenAI;

    before(async () => {
      app = await createTestApp({
        dialect,
        yaml: `local_models:\n  local:\n    path: ${tinyModelPath()}\n    context_size: 2048\n    threads: 1\n`,
      });
      client = app.client();
    });
    after(() => app.close());

    it('should run a forced function call, take the outputs, and finish on the same thread', async () => {
      const assistant = await client.beta.assistants.create({ model: 'local', instructions: 'You report the weather.', tools: [weatherTool] });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });

      const waiting = await client.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: assistant.id,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        response_format: answerFormat,
      });
      assert.equal(waiting.status, 'requires_action');
      const call = waiting.required_action!.submit_tool_outputs.tool_calls[0]!;
      assert.equal(call.function.name, 'get_weather');
      weatherArgs.parse(JSON.parse(call.function.arguments));
      assert.ok((waiting.usage?.completion_tokens ?? 0) > 0);

      // The forced call was made: the next turn is the model's own (tools on auto, where the
      // response format wins), and it answers in that format — the run completes.
      const done = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: call.id, output: 'sunny, 22 °C' }],
      });
      assert.equal(done.status, 'completed', JSON.stringify(done.last_error));
      assert.ok((done.usage?.prompt_tokens ?? 0) > (waiting.usage?.prompt_tokens ?? 0), 'the second turn saw the tool output');

      const steps = await client.beta.threads.runs.steps.list(waiting.id, { thread_id: thread.id, order: 'asc' });
      const first = steps.data[0]!;
      assert.ok(first.step_details.type === 'tool_calls');
      const firstCall = first.step_details.tool_calls[0]!;
      assert.ok(firstCall.type === 'function');
      assert.deepEqual([firstCall.id, firstCall.function.output], [call.id, 'sunny, 22 °C']);
      assert.deepEqual(steps.data.map((s) => s.type), ['tool_calls', 'message_creation']);

      const messages = await client.beta.threads.messages.list(thread.id, { order: 'desc', limit: 1 });
      const reply = messages.data[0]!;
      assert.equal(reply.role, 'assistant');
      assert.equal(reply.run_id, done.id);
      answer.parse(JSON.parse(textOf(reply)));
    });

    it('should search files with a forced file_search, then answer', async () => {
      const store = await client.vectorStores.create({ name: 'local' });
      const file = await client.files.create({
        file: new File(['The Zorbulon reactor runs on liquid argon.'], 'reactor.txt'),
        purpose: 'assistants',
      });
      await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
      const assistant = await client.beta.assistants.create({
        model: 'local',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
      const run = await client.beta.threads.createAndRunPoll({
        assistant_id: assistant.id,
        tool_choice: { type: 'file_search' },
        response_format: answerFormat,
        thread: { messages: [{ role: 'user', content: 'What does the reactor run on?' }] },
      });
      assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
      const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' });
      const search = steps.data[0]!.step_details;
      assert.ok(search.type === 'tool_calls' && search.tool_calls[0]?.type === 'file_search', JSON.stringify(search));
      assert.equal(search.tool_calls[0].file_search.results?.[0]?.file_id, file.id);
    });

    it('should stream a run with OpenAI events', async () => {
      const assistant = await client.beta.assistants.create({ model: 'local', response_format: answerFormat });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Is it sunny?' }] });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      let streamed = '';
      stream.on('textDelta', (d) => (streamed += d.value ?? ''));
      const run = await stream.finalRun();
      assert.equal(run.status, 'completed');
      const messages = await stream.finalMessages();
      assert.equal(textOf(messages[0]!), streamed);
      answer.parse(JSON.parse(streamed));
    });

    it('should end a run incomplete at max_completion_tokens', async () => {
      const assistant = await client.beta.assistants.create({ model: 'local' });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Tell me a story.' }] });
      // Greedy: sampled at temperature 1, the noise model writes an end-of-turn token within 256 tokens now and then
      // (it did once in CI on 83aba09), and the run then completes instead.
      const run = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, max_completion_tokens: 256, temperature: 0 });
      assert.equal(run.status, 'incomplete');
      assert.equal(run.incomplete_details?.reason, 'max_completion_tokens');
      assert.equal(run.usage?.completion_tokens, 256);
    });

    it('should answer the one-call assistant chat from the local model', async () => {
      const assistant = await client.beta.assistants.create({ model: 'local', response_format: answerFormat });
      const completion = await client.chat.completions.create({
        model: assistant.id,
        messages: [{ role: 'user', content: 'Is it sunny?' }],
      });
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.model, 'local');
      answer.parse(JSON.parse(completion.choices[0]?.message.content ?? ''));
    });
  });
}
