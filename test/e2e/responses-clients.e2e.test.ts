// The client libraries apps use, unpatched, against Switchboard's Responses API (issue 12 item 7):
// the Vercel AI SDK's Responses model, the OpenAI Agents SDK (Responses by default), LangChain's
// ChatOpenAI with useResponsesApi, and a Codex-style raw streamed request. Every test asserts on
// what the scripted fake upstream received as well as on what the client got back.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool as aiTool } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage } from '@langchain/core/messages';
import { tool as lcTool } from '@langchain/core/tools';
import {
  Agent,
  OpenAIConversationsSession,
  OpenAIProvider,
  Runner,
  setDefaultModelProvider,
  setDefaultOpenAIClient,
  setTracingDisabled,
  tool as agentTool,
} from '@openai/agents';
import { z } from 'zod';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const CHAT = '/v1/chat/completions';
const USAGE = { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 };
const WEATHER_CALL = { id: 'call_weather1', name: 'weather', arguments: '{"city":"Paris"}' };
const weatherSchema = z.object({ city: z.string() });
const cityFacts = z.object({ name: z.string(), population: z.number() });

setTracingDisabled(true);

type UpstreamMessage = { role: string; content?: unknown; tool_call_id?: string; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> };

const says = (content: string | string[]) => ({ type: 'sse' as const, chunks: chatChunks({ content, usage: USAGE }) });
const callsWeather = () => ({ type: 'sse' as const, chunks: chatChunks({ toolCalls: [WEATHER_CALL], usage: USAGE }) });

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p: { text?: string }) => p.text ?? '').join('');
  return JSON.stringify(content);
}

for (const dialect of testDialects()) {
  describe(`real clients over the Responses API (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    const sent = (n: number): UpstreamMessage[] => fake.calls.filter((c) => c.path === CHAT)[n]!.body.messages as UpstreamMessage[];
    /** The weather call and its result as the upstream saw them on call `n`. */
    function toolRoundSent(n: number): { call: UpstreamMessage | undefined; result: UpstreamMessage | undefined } {
      const messages = sent(n);
      return {
        call: messages.find((m) => m.role === 'assistant' && m.tool_calls?.some((c) => c.id === WEATHER_CALL.id)),
        result: messages.find((m) => m.role === 'tool' && m.tool_call_id === WEATHER_CALL.id),
      };
    }

    describe('Vercel AI SDK (@ai-sdk/openai Responses model)', () => {
      const model = () => createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] }).responses('gpt-4o');

      it('should generateText with the upstream answer, usage and finish reason', async () => {
        fake.enqueue(CHAT, says('Paris.'));
        const result = await generateText({ model: model(), system: 'Be brief.', prompt: 'Capital of France?' });
        assert.equal(result.text, 'Paris.');
        assert.equal(result.finishReason, 'stop');
        assert.equal(result.usage.inputTokens, 11);
        assert.equal(result.usage.outputTokens, 3);
        assert.equal(fake.calls[0]!.body.model, 'gpt-4o');
        assert.deepEqual(sent(0).map((m) => [m.role, contentText(m.content)]), [
          ['system', 'Be brief.'],
          ['user', 'Capital of France?'],
        ]);
      });

      it('should streamText in pieces, with usage and finish reason', async () => {
        fake.enqueue(CHAT, says(['Pa', 'ris', '.']));
        const result = streamText({ model: model(), prompt: 'Capital of France?' });
        const pieces: string[] = [];
        for await (const piece of result.textStream) pieces.push(piece);
        assert.deepEqual(pieces, ['Pa', 'ris', '.']);
        assert.equal(await result.finishReason, 'stop');
        assert.equal((await result.usage).inputTokens, 11);
        assert.equal((await result.usage).outputTokens, 3);
        assert.deepEqual(sent(0).map((m) => [m.role, contentText(m.content)]), [['user', 'Capital of France?']]);
      });

      for (const store of [true, false]) {
        it(`should run a tool loop with stopWhen (store: ${store}): the second call carries the call and its result`, async () => {
          fake.enqueue(CHAT, callsWeather());
          fake.enqueue(CHAT, says('It is sunny in Paris.'));
          const weather = aiTool({
            description: 'The weather in a city',
            inputSchema: weatherSchema,
            execute: async ({ city }) => ({ city, forecast: 'sunny' }),
          });
          const result = await generateText({
            model: model(),
            tools: { weather },
            stopWhen: stepCountIs(3),
            prompt: 'Weather in Paris?',
            providerOptions: { openai: { store } },
          });
          assert.equal(result.text, 'It is sunny in Paris.');
          assert.equal(result.steps.length, 2);
          assert.equal(result.steps[0]!.finishReason, 'tool-calls');
          assert.equal(fake.calls[0]!.body.tools[0].function.name, 'weather');
          const { call, result: toolResult } = toolRoundSent(1);
          assert.ok(call && toolResult, JSON.stringify(sent(1)));
          assert.equal(call.tool_calls![0]!.function.arguments, WEATHER_CALL.arguments);
          assert.deepEqual(JSON.parse(contentText(toolResult.content)), { city: 'Paris', forecast: 'sunny' });
          assert.equal(sent(1)[0]!.role, 'user');
          assert.equal(contentText(sent(1)[0]!.content), 'Weather in Paris?');
        });
      }

      it('should generateObject: text.format json_schema reaches the upstream as response_format json_schema', async () => {
        fake.enqueue(CHAT, says('{"name":"Paris","population":2100000}'));
        const result = await generateObject({ model: model(), schema: cityFacts, prompt: 'Facts about Paris' });
        assert.deepEqual(result.object, { name: 'Paris', population: 2100000 });
        const format = fake.calls[0]!.body.response_format;
        assert.equal(format.type, 'json_schema');
        assert.deepEqual(Object.keys(format.json_schema.schema.properties), ['name', 'population']);
      });
    });

    describe('OpenAI Agents SDK (Responses model by default)', () => {
      before(() => {
        setDefaultOpenAIClient(new OpenAI({ apiKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 }));
        // The default provider and runner keep the first client they made; fresh ones pick up this store's app.
        setDefaultModelProvider(new OpenAIProvider());
        runner = new Runner();
      });
      let runner: Runner;
      const weather = agentTool({
        name: 'weather',
        description: 'The weather in a city',
        parameters: weatherSchema,
        execute: async ({ city }) => `sunny in ${city}`,
      });
      const forecaster = () => new Agent({ name: 'Forecaster', instructions: 'Answer with the forecast.', model: 'gpt-4o', tools: [weather] });

      it('should run an agent with a function tool to its final output, then a second turn by previousResponseId', async () => {
        fake.enqueue(CHAT, callsWeather());
        fake.enqueue(CHAT, says('It is sunny in Paris.'));
        const result = await runner.run(forecaster(), 'Weather in Paris?');
        assert.equal(result.finalOutput, 'It is sunny in Paris.');
        assert.deepEqual(sent(0)[0], { role: 'system', content: 'Answer with the forecast.' });
        assert.equal(contentText(toolRoundSent(1).result?.content), 'sunny in Paris');
        assert.match(result.lastResponseId ?? '', /^resp_/);

        fake.enqueue(CHAT, says('Also sunny tomorrow.'));
        const second = await runner.run(forecaster(), 'And tomorrow?', { previousResponseId: result.lastResponseId });
        assert.equal(second.finalOutput, 'Also sunny tomorrow.');
        const history = sent(2).map((m) => [m.role, contentText(m.content)]);
        assert.deepEqual(history[0], ['system', 'Answer with the forecast.']);
        assert.deepEqual(history[1], ['user', 'Weather in Paris?']);
        assert.deepEqual(history.at(-2), ['assistant', 'It is sunny in Paris.']);
        assert.deepEqual(history.at(-1), ['user', 'And tomorrow?']);
        assert.equal(contentText(toolRoundSent(2).result?.content), 'sunny in Paris');
      });

      it('should keep an OpenAIConversationsSession across two runs', async () => {
        const session = new OpenAIConversationsSession({ client: new OpenAI({ apiKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 }) });
        fake.enqueue(CHAT, says('Paris.'));
        const first = await runner.run(forecaster(), 'Capital of France?', { session });
        assert.equal(first.finalOutput, 'Paris.');
        fake.enqueue(CHAT, says('About 2 million.'));
        const second = await runner.run(forecaster(), 'Its population?', { session });
        assert.equal(second.finalOutput, 'About 2 million.');
        assert.deepEqual(
          sent(1).filter((m) => m.role !== 'system').map((m) => [m.role, contentText(m.content)]),
          [
            ['user', 'Capital of France?'],
            ['assistant', 'Paris.'],
            ['user', 'Its population?'],
          ],
        );
        const id = await session.getSessionId();
        assert.match(id, /^(conv|thread)_/);
        const items = await session.getItems();
        assert.equal(items.length, 4, JSON.stringify(items));
      });
    });

    describe('LangChain ChatOpenAI (useResponsesApi)', () => {
      const chatModel = () =>
        new ChatOpenAI({ model: 'gpt-4o', apiKey: TEST_KEYS[0], maxRetries: 0, useResponsesApi: true, configuration: { baseURL: app.baseURL } });

      it('should invoke and return the upstream answer with usage', async () => {
        fake.enqueue(CHAT, says('Paris.'));
        const message = await chatModel().invoke('Capital of France?');
        assert.equal(message.text, 'Paris.');
        assert.equal(message.usage_metadata?.input_tokens, 11);
        assert.equal(message.usage_metadata?.output_tokens, 3);
        assert.deepEqual(sent(0).map((m) => [m.role, contentText(m.content)]), [['user', 'Capital of France?']]);
      });

      it('should stream the answer in pieces', async () => {
        fake.enqueue(CHAT, says(['Pa', 'ris', '.']));
        const pieces: string[] = [];
        for await (const chunk of await chatModel().stream('Capital of France?')) if (chunk.text !== '') pieces.push(chunk.text);
        assert.deepEqual(pieces, ['Pa', 'ris', '.']);
        assert.equal(fake.calls[0]!.body.stream, true);
      });

      it('should round-trip a tool call with bindTools', async () => {
        fake.enqueue(CHAT, callsWeather());
        fake.enqueue(CHAT, says('It is sunny in Paris.'));
        const weather = lcTool(async ({ city }) => JSON.stringify({ city, forecast: 'sunny' }), {
          name: 'weather',
          description: 'The weather in a city',
          schema: weatherSchema,
        });
        const model = chatModel().bindTools([weather]);
        const question = new HumanMessage('Weather in Paris?');
        const call = await model.invoke([question]);
        assert.deepEqual(call.tool_calls?.map((c) => [c.name, c.args, c.id]), [['weather', { city: 'Paris' }, WEATHER_CALL.id]]);
        const toolMessage = await weather.invoke(call.tool_calls![0]!);
        const answer = await model.invoke([question, call, toolMessage]);
        assert.equal(answer.text, 'It is sunny in Paris.');
        assert.equal(fake.calls[0]!.body.tools[0].function.name, 'weather');
        const { call: callSent, result } = toolRoundSent(1);
        assert.ok(callSent && result, JSON.stringify(sent(1)));
        assert.deepEqual(JSON.parse(contentText(result.content)), { city: 'Paris', forecast: 'sunny' });
      });
    });

    describe('a Codex-style raw request', () => {
      it('should stream to response.completed with the fields Codex sends', async () => {
        fake.enqueue(CHAT, says(['Run ', 'the tests.']));
        const res = await fetch(`${app.baseURL}/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_KEYS[0]}`, 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({
            model: 'gpt-4o',
            instructions: 'You are a coding agent.',
            input: [
              { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>workspace-write</permissions>' }] },
              { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What next?' }] },
            ],
            tools: [
              {
                type: 'function',
                name: 'shell',
                description: 'Runs a shell command',
                strict: false,
                parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'] },
              },
              { type: 'web_search' },
            ],
            tool_choice: 'auto',
            parallel_tool_calls: false,
            reasoning: { effort: 'medium', summary: 'auto' },
            store: false,
            stream: true,
            include: ['reasoning.encrypted_content'],
            prompt_cache_key: 'codex-session-1',
          }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        const events = parseSse(await res.text());
        const types = events.map((e) => e.type);
        assert.equal(types[0], 'response.created');
        assert.equal(types.at(-1), 'response.completed');
        const done = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
        const text = done.response.output.flatMap((i) => (i.type === 'message' ? i.content : [])).map((p) => (p.type === 'output_text' ? p.text : ''));
        assert.equal(text.join(''), 'Run the tests.');
        assert.equal(done.response.parallel_tool_calls, false);
        assert.equal(done.response.prompt_cache_key, 'codex-session-1');
        assert.deepEqual(events.map((e) => e.sequence_number), events.map((_, i) => i));
        const body = fake.calls[0]!.body;
        assert.deepEqual(body.tools.map((t: { function: { name: string } }) => t.function.name), ['shell']);
        assert.equal(body.parallel_tool_calls, false);
        assert.deepEqual((body.messages as UpstreamMessage[]).map((m) => [m.role, contentText(m.content)]), [
          ['system', 'You are a coding agent.'],
          ['system', '<permissions>workspace-write</permissions>'], // developer messages go up as system messages (thread-history)
          ['user', 'What next?'],
        ]);
      });
    });
  });
}

/** The `data:` payloads of an SSE body, each checked against its `event:` line. */
function parseSse(body: string): ResponseStreamEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as ResponseStreamEvent;
      assert.equal(event, data.type);
      return data;
    });
}
