// The client libraries apps use, unpatched, against Switchboard's Responses API (issue 12 item 7):
// the Vercel AI SDK's Responses model, the OpenAI Agents SDK (Responses by default), LangChain's
// ChatOpenAI with useResponsesApi, and a Codex-style raw streamed request. Every test asserts on
// what the scripted fake upstream received as well as on what the client got back.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool as aiTool, type ToolSet } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, type AIMessageChunk } from '@langchain/core/messages';
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
const FACT = 'The Zorbulon reactor on Kepler station runs on 42 tonnes of liquid argon.';
const FILLER = 'Kepler station has a cafeteria, a gym and three docking bays for cargo ships.';
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

      it('should stream a tool loop: the call, then the answer, with the result sent upstream', async () => {
        fake.enqueue(CHAT, callsWeather());
        fake.enqueue(CHAT, says(['It is ', 'sunny.']));
        const weather = aiTool({ inputSchema: weatherSchema, execute: async ({ city }) => `sunny in ${city}` });
        const result = streamText({ model: model(), tools: { weather }, stopWhen: stepCountIs(3), prompt: 'Weather?' });
        let text = '';
        for await (const piece of result.textStream) text += piece;
        assert.equal(text, 'It is sunny.');
        assert.deepEqual((await result.steps)[0]!.toolCalls.map((c) => [c.toolCallId, c.input]), [[WEATHER_CALL.id, { city: 'Paris' }]]);
        assert.equal(await result.finishReason, 'stop');
        assert.equal(contentText(toolRoundSent(1).result?.content), 'sunny in Paris');
      });

      for (const store of [true, false]) {
        it(`should continue a chat from result.response.messages (store: ${store}: the earlier answer ${store ? 'as an item_reference' : 'with its item id'})`, async () => {
          fake.enqueue(CHAT, says('Paris.'));
          const question = { role: 'user' as const, content: 'Capital of France?' };
          const first = await generateText({ model: model(), messages: [question], providerOptions: { openai: { store } } });
          fake.enqueue(CHAT, says('About 2 million.'));
          const second = await generateText({
            model: model(),
            messages: [question, ...first.response.messages, { role: 'user', content: 'Its population?' }],
            providerOptions: { openai: { store } },
          });
          assert.equal(second.text, 'About 2 million.');
          const input = (second.request.body as { input: Array<{ type?: string; id?: string }> }).input;
          const itemId = first.providerMetadata?.openai?.itemId ?? (first.response.messages[0]?.content as Array<{ providerOptions?: { openai?: { itemId?: string } } }>)[0]?.providerOptions?.openai?.itemId;
          assert.match(String(itemId), /^msg_/);
          if (store) assert.deepEqual(input[1], { type: 'item_reference', id: itemId });
          else assert.equal(input[1]?.id, itemId);
          assert.deepEqual(sent(1).map((m) => [m.role, contentText(m.content)]), [
            ['user', 'Capital of France?'],
            ['assistant', 'Paris.'],
            ['user', 'Its population?'],
          ]);
        });
      }

      it("should run openai.tools.fileSearch on Switchboard's vector store: the answer, its citation as a source, the call upstream", async () => {
        const client = app.client(TEST_KEYS[0]);
        const store = await client.vectorStores.create({ name: 'kepler' });
        const file = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`${FILLER}\n\n${FACT}\n`), 'kepler.txt'));
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"Zorbulon fuel"}' }], usage: USAGE }) });
        fake.enqueue(CHAT, says(['It runs on liquid argon ', '【0:0†kepler.txt】.']));
        const provider = createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] });
        const result = await generateText({
          model: provider.responses('gpt-4o'),
          // `ai` resolves @ai-sdk/provider-utils 4.0.67, @ai-sdk/openai pins 4.0.66: the two Tool types differ
          // only by that copy, so the provider's tool is handed over through the `ai` ToolSet type.
          tools: { file_search: provider.tools.fileSearch({ vectorStoreIds: [store.id], maxNumResults: 3 }) as unknown as ToolSet[string] },
          prompt: 'What does the Zorbulon reactor run on?',
        });
        // Responses text has no citation marker (OpenAI's has none); the source stands for it.
        assert.equal(result.text, 'It runs on liquid argon .');
        assert.equal(result.finishReason, 'stop');
        const search = result.staticToolResults.length ? result.staticToolResults : result.toolResults;
        assert.equal(search.length, 1, JSON.stringify(result.content));
        assert.deepEqual(
          result.sources.map((s) => (s.sourceType === 'document' ? [s.sourceType, s.title, s.providerMetadata?.openai?.fileId] : [s.sourceType])),
          [['document', 'kepler.txt', file.id]],
        );
        assert.equal(fake.calls.filter((c) => c.path === CHAT)[0]!.body.tools[0].function.name, 'file_search');
        const toolMessage = sent(1).find((m) => m.role === 'tool');
        assert.ok(contentText(toolMessage?.content).includes('liquid argon'), JSON.stringify(toolMessage));
      });

      it('should stream openai.tools.fileSearch: the citation arrives as a source naming the file', async () => {
        const client = app.client(TEST_KEYS[0]);
        const store = await client.vectorStores.create({ name: 'kepler' });
        const file = await client.vectorStores.files.uploadAndPoll(store.id, await toFile(Buffer.from(`${FILLER}\n\n${FACT}\n`), 'kepler.txt'));
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_fs', name: 'file_search', arguments: '{"query":"Zorbulon fuel"}' }], usage: USAGE }) });
        fake.enqueue(CHAT, says(['It runs on liquid argon ', '【0:0†kepler.txt】.']));
        const provider = createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] });
        const result = streamText({
          model: provider.responses('gpt-4o'),
          tools: { file_search: provider.tools.fileSearch({ vectorStoreIds: [store.id] }) as unknown as ToolSet[string] },
          prompt: 'What does the Zorbulon reactor run on?',
        });
        let text = '';
        for await (const piece of result.textStream) text += piece;
        assert.equal(text, 'It runs on liquid argon .');
        const sources = await result.sources;
        assert.deepEqual(
          sources.map((s) => (s.sourceType === 'document' ? [s.title, s.providerMetadata?.openai?.fileId] : [s.sourceType])),
          [['kepler.txt', file.id]],
        );
      });

      it("should end at maxOutputTokens with finishReason 'length' (an incomplete response)", async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Paris is ', 'the'], finishReason: 'length', usage: { prompt_tokens: 11, completion_tokens: 20 } }) });
        const result = await generateText({ model: model(), prompt: 'Tell me about Paris.', maxOutputTokens: 20 }); // OpenAI's minimum is 16, as Switchboard checks
        assert.equal(result.text, 'Paris is the');
        assert.equal(result.finishReason, 'length');
        const body = fake.calls[0]!.body;
        assert.equal(body.max_completion_tokens ?? body.max_tokens, 20);
      });

      it("should surface a mid-stream upstream failure as streamText's error, with the text so far", async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Pa', 'ris', '.'], usage: USAGE }), breakAfter: 2 });
        const errors: unknown[] = [];
        const result = streamText({ model: model(), prompt: 'Capital?', onError: ({ error }) => void errors.push(error) });
        let text = '';
        for await (const part of result.fullStream) if (part.type === 'text-delta') text += part.text;
        assert.equal(text, 'Pa');
        assert.equal(await result.finishReason, 'error');
        assert.equal(errors.length, 1, JSON.stringify(errors));
      });

      it('should continue a Switchboard conversation given as the provider option', async () => {
        const conversation = await app.client(TEST_KEYS[0]).conversations.create({ items: [{ type: 'message', role: 'user', content: 'My name is Ada.' }] });
        fake.enqueue(CHAT, says('Hello Ada.'));
        const result = await generateText({ model: model(), prompt: 'What is my name?', providerOptions: { openai: { conversation: conversation.id } } });
        assert.equal(result.text, 'Hello Ada.');
        assert.deepEqual(sent(0).map((m) => [m.role, contentText(m.content)]), [
          ['user', 'My name is Ada.'],
          ['user', 'What is my name?'],
        ]);
        const items = await app.client(TEST_KEYS[0]).conversations.items.list(conversation.id, { order: 'asc' });
        assert.deepEqual(items.data.map((i) => (i.type === 'message' ? i.role : i.type)), ['user', 'user', 'assistant']);
      });

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

      it('should chain a tool call over previousResponseId: the function output goes back against the response that asked for it', async () => {
        fake.enqueue(CHAT, says('Hello.'));
        const first = await runner.run(forecaster(), 'Hi');
        fake.enqueue(CHAT, callsWeather());
        fake.enqueue(CHAT, says('It is sunny in Paris.'));
        const second = await runner.run(forecaster(), 'Weather in Paris?', { previousResponseId: first.lastResponseId });
        assert.equal(second.finalOutput, 'It is sunny in Paris.');
        const history = sent(2).filter((m) => m.role !== 'system');
        assert.deepEqual(history.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'tool']);
        assert.deepEqual(history.slice(0, 3).map((m) => contentText(m.content)), ['Hi', 'Hello.', 'Weather in Paris?']);
        assert.equal(history[3]!.tool_calls?.[0]?.id, WEATHER_CALL.id);
        assert.equal(history[4]!.content, 'sunny in Paris');
        assert.equal(sent(2).filter((m) => m.role === 'system').length, 1, 'instructions are not carried over, only sent again');
      });

      it('should stream an agent run with a function tool to its final output', async () => {
        fake.enqueue(CHAT, callsWeather());
        fake.enqueue(CHAT, says(['It is ', 'sunny.']));
        const result = await runner.run(forecaster(), 'Weather in Paris?', { stream: true });
        let text = '';
        for await (const piece of result.toTextStream()) text += piece;
        await result.completed;
        assert.equal(text, 'It is sunny.');
        assert.equal(result.finalOutput, 'It is sunny.');
        assert.equal(contentText(toolRoundSent(1).result?.content), 'sunny in Paris');
        assert.equal(result.state.usage.totalTokens, 28);
        assert.match(result.lastResponseId ?? '', /^resp_/);
      });

      it('should give an agent with an outputType its parsed final output, the schema sent as response_format', async () => {
        fake.enqueue(CHAT, says('{"name":"Paris","population":2100000}'));
        const agent = new Agent({ name: 'Facts', model: 'gpt-4o', outputType: cityFacts });
        const result = await runner.run(agent, 'Facts about Paris');
        assert.deepEqual(result.finalOutput, { name: 'Paris', population: 2100000 });
        const format = fake.calls[0]!.body.response_format;
        assert.equal(format.type, 'json_schema');
        assert.equal(format.json_schema.strict, true);
        assert.deepEqual(Object.keys(format.json_schema.schema.properties), ['name', 'population']);
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

      it('should stream a tool call in chunks', async () => {
        fake.enqueue(CHAT, callsWeather());
        const weather = lcTool(async () => 'sunny', { name: 'weather', description: 'Weather', schema: weatherSchema });
        let whole: AIMessageChunk | undefined;
        for await (const chunk of await chatModel().bindTools([weather]).stream('Weather in Paris?')) whole = whole ? whole.concat(chunk) : chunk;
        assert.deepEqual(whole?.tool_calls?.map((c) => [c.name, c.args, c.id]), [['weather', { city: 'Paris' }, WEATHER_CALL.id]]);
        assert.equal(whole?.usage_metadata?.total_tokens, 14);
        assert.equal(fake.calls[0]!.body.tools[0].function.name, 'weather');
      });

      it('should parse withStructuredOutput through text.format json_schema', async () => {
        fake.enqueue(CHAT, says('{"name":"Paris","population":2100000}'));
        const facts = await chatModel().withStructuredOutput(cityFacts).invoke('Facts about Paris');
        assert.deepEqual(facts, { name: 'Paris', population: 2100000 });
        assert.equal(fake.calls[0]!.body.response_format.type, 'json_schema');
        assert.deepEqual(Object.keys(fake.calls[0]!.body.response_format.json_schema.schema.properties), ['name', 'population']);
      });

      it('should continue from previous_response_id given as a call option', async () => {
        fake.enqueue(CHAT, says('Paris.'));
        const first = await chatModel().invoke('Capital of France?');
        const id = first.response_metadata.id as string;
        assert.match(id, /^resp_/);
        fake.enqueue(CHAT, says('About 2 million.'));
        const second = await chatModel().invoke('Its population?', { previous_response_id: id });
        assert.equal(second.text, 'About 2 million.');
        assert.deepEqual(sent(1).map((m) => [m.role, contentText(m.content)]), [
          ['user', 'Capital of France?'],
          ['assistant', 'Paris.'],
          ['user', 'Its population?'],
        ]);
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

      it('should stream a shell function call to response.completed, the call whole in the final output (store: false)', async () => {
        const shellCall = { id: 'call_shell1', name: 'shell', arguments: '{"command":["npm","test"]}' };
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [shellCall], usage: USAGE }) });
        const res = await fetch(`${app.baseURL}/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_KEYS[0]}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o',
            instructions: 'You are a coding agent.',
            input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Run the tests.' }] }],
            tools: [{ type: 'function', name: 'shell', strict: false, parameters: { type: 'object', properties: {} } }, { type: 'web_search' }],
            tool_choice: 'auto',
            parallel_tool_calls: false,
            reasoning: { effort: 'medium', summary: 'auto' },
            store: false,
            stream: true,
            include: ['reasoning.encrypted_content'],
            prompt_cache_key: 'codex-session-1',
          }),
        });
        const events = parseSse(await res.text());
        const done = events.at(-1) as Extract<ResponseStreamEvent, { type: 'response.completed' }>;
        assert.equal(done.type, 'response.completed', JSON.stringify(done));
        const calls = done.response.output.filter((i) => i.type === 'function_call');
        assert.deepEqual(calls.map((c) => [c.call_id, c.name, c.arguments, c.status]), [[shellCall.id, 'shell', shellCall.arguments, 'completed']]);
        const argsDone = events.find((e) => e.type === 'response.function_call_arguments.done');
        assert.equal(argsDone?.type === 'response.function_call_arguments.done' && argsDone.arguments, shellCall.arguments);
        const itemDone = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.type === 'response.output_item.done' && e.item.type);
        assert.deepEqual(itemDone, ['function_call']);
        assert.equal(fake.calls.length, 1, 'the client runs the shell, not Switchboard');
      });

      it("should take Codex's next turn (store: false): the shell call, its output and a reasoning item passed back", async () => {
        fake.enqueue(CHAT, says('All tests pass.'));
        const shellCall = { id: 'call_shell1', name: 'shell', arguments: '{"command":["npm","test"]}' };
        const res = await fetch(`${app.baseURL}/responses`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_KEYS[0]}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o',
            instructions: 'You are a coding agent.',
            input: [
              { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Run the tests.' }] },
              { type: 'reasoning', id: 'rs_codex1', summary: [{ type: 'summary_text', text: 'Run them.' }], content: null, encrypted_content: 'gAAAAB-opaque' },
              { type: 'function_call', id: 'fc_codex1', call_id: shellCall.id, name: shellCall.name, arguments: shellCall.arguments },
              { type: 'function_call_output', call_id: shellCall.id, output: '{"output":"ok","metadata":{"exit_code":0}}' },
            ],
            tools: [{ type: 'function', name: 'shell', strict: false, parameters: { type: 'object', properties: {} } }, { type: 'web_search' }],
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
        assert.equal(events.at(-1)?.type, 'response.completed', JSON.stringify(events.at(-1)));
        const messages = sent(0);
        assert.deepEqual(messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool']);
        assert.deepEqual(messages[2]!.tool_calls?.map((c) => [c.id, c.function.name, c.function.arguments]), [[shellCall.id, 'shell', shellCall.arguments]]);
        assert.equal(messages[3]!.content, '{"output":"ok","metadata":{"exit_code":0}}');
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
