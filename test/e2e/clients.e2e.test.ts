// The client libraries apps use, unpatched, against Switchboard's Chat Completions path
// (issue 12 item 7, the part that does not need the Responses API): the Vercel AI SDK's chat
// model, LangChain's ChatOpenAI, the OpenAI Agents SDK's chat-completions model, and the
// one-call assistant chat (`model: "asst_…"`) through the AI SDK.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateObject, generateText, stepCountIs, streamText, tool as aiTool } from 'ai';
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, type AIMessageChunk } from '@langchain/core/messages';
import { tool as lcTool } from '@langchain/core/tools';
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool as agentTool } from '@openai/agents';
import { z } from 'zod';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { messageEvents, startFakeAnthropic, type FakeAnthropic } from '../fakes/fake-anthropic.js';
import { chatChunks, chatCompletion } from '../fakes/chunks.js';
import { createTestApp, TEST_KEYS, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const CHAT = '/v1/chat/completions';
const USAGE = { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 };
const WEATHER_CALL = { id: 'call_weather1', name: 'weather', arguments: '{"city":"Paris"}' };
const weatherSchema = z.object({ city: z.string() });
const cityFacts = z.object({ name: z.string(), population: z.number() });

setTracingDisabled(true);

/** The upstream answers with a call to `weather`, then with `answer`. */
function scriptToolLoop(fake: FakeUpstream, answer: string): void {
  fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ toolCalls: [WEATHER_CALL] }) });
  fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: answer }) });
}

/** The tool message Switchboard passed upstream on call `n` for the weather call. */
function toolMessageSent(fake: FakeUpstream, n: number): { role: string; content: unknown } | undefined {
  const messages = fake.calls[n]?.body.messages as Array<{ role: string; tool_call_id?: string; content: unknown }>;
  return messages.find((m) => m.role === 'tool' && m.tool_call_id === WEATHER_CALL.id);
}

/** Claude behind a `type: anthropic` provider: Switchboard encodes the chunks itself rather than relaying them. */
const anthropicYaml = (url: string) => `
providers:
  anthropic:
    type: anthropic
    base_url: ${url}
    api_key: sk-ant-test-key
    max_retries: 0
models:
  claude:
    provider: anthropic
    model: claude-sonnet-4-5
`;

const claudeCallsWeather = () => ({
  type: 'events' as const,
  events: messageEvents({
    blocks: [{ type: 'tool_use', id: 'toolu_weather1', name: 'weather', jsonDeltas: ['{"city":', '"Paris"}'] }],
    stopReason: 'tool_use',
  }),
});
const claudeSays = (deltas: string[]) => ({ type: 'events' as const, events: messageEvents({ blocks: [{ type: 'text', deltas }] }) });

/** The tool_result Claude received on its last call. */
function claudeToolResult(fake: FakeAnthropic): unknown {
  const messages = fake.calls.at(-1)?.body.messages as Array<{ content: Array<{ type: string; tool_use_id?: string; content?: unknown }> }>;
  return messages.flatMap((m) => m.content).find((b) => b.type === 'tool_result' && b.tool_use_id === 'toolu_weather1')?.content;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return JSON.stringify(content);
}

for (const dialect of testDialects()) {
  describe(`real clients over Chat Completions (${dialect})`, () => {
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

    describe('Vercel AI SDK (@ai-sdk/openai chat model)', () => {
      const chatModel = (model = 'gpt-4o') => createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] }).chat(model);

      it('should generateText with the upstream answer, usage and finish reason', async () => {
        fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: 'Paris.', usage: USAGE }) });
        const result = await generateText({ model: chatModel(), prompt: 'Capital of France?' });
        assert.equal(result.text, 'Paris.');
        assert.equal(result.finishReason, 'stop');
        assert.equal(result.usage.inputTokens, 11);
        assert.equal(result.usage.outputTokens, 3);
        assert.equal(fake.calls[0]!.body.model, 'gpt-4o');
        assert.deepEqual(fake.calls[0]!.body.messages, [{ role: 'user', content: 'Capital of France?' }]);
      });

      it('should streamText in pieces, with usage and finish reason', async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Pa', 'ris', '.'], usage: USAGE }) });
        const result = streamText({ model: chatModel(), prompt: 'Capital of France?' });
        const pieces: string[] = [];
        for await (const piece of result.textStream) pieces.push(piece);
        assert.deepEqual(pieces, ['Pa', 'ris', '.']);
        assert.equal(await result.finishReason, 'stop');
        assert.equal((await result.usage).inputTokens, 11);
        assert.equal((await result.usage).outputTokens, 3);
        assert.equal(fake.calls[0]!.body.stream, true);
      });

      it('should run a tool loop and send the tool result upstream', async () => {
        scriptToolLoop(fake, 'It is sunny in Paris.');
        const weather = aiTool({
          description: 'The weather in a city',
          inputSchema: weatherSchema,
          execute: async ({ city }) => ({ city, forecast: 'sunny' }),
        });
        const result = await generateText({
          model: chatModel(),
          tools: { weather },
          stopWhen: stepCountIs(3),
          prompt: 'Weather in Paris?',
        });
        assert.equal(result.text, 'It is sunny in Paris.');
        assert.equal(result.steps.length, 2);
        assert.equal(fake.calls[0]!.body.tools[0].function.name, 'weather');
        const sent = toolMessageSent(fake, 1);
        assert.ok(sent, JSON.stringify(fake.calls[1]?.body.messages));
        assert.deepEqual(JSON.parse(contentText(sent.content)), { city: 'Paris', forecast: 'sunny' });
      });

      it('should stream a tool loop: tool-call deltas, then the answer', async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [WEATHER_CALL], usage: USAGE }) });
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['It is ', 'sunny.'], usage: USAGE }) });
        const weather = aiTool({ inputSchema: weatherSchema, execute: async ({ city }) => `sunny in ${city}` });
        const result = streamText({ model: chatModel(), tools: { weather }, stopWhen: stepCountIs(3), prompt: 'Weather?' });
        let text = '';
        for await (const piece of result.textStream) text += piece;
        assert.equal(text, 'It is sunny.');
        assert.deepEqual((await result.steps)[0]!.toolCalls.map((c) => c.input), [{ city: 'Paris' }]);
        assert.equal(contentText(toolMessageSent(fake, 1)?.content), 'sunny in Paris');
      });

      it('should pass temperature, max tokens and the system prompt upstream', async () => {
        fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: 'Paris.' }) });
        await generateText({ model: chatModel(), system: 'Be brief.', prompt: 'Capital?', temperature: 0.2, maxOutputTokens: 50 });
        const body = fake.calls[0]!.body;
        assert.equal(body.temperature, 0.2);
        assert.equal(body.max_tokens, 50);
        assert.deepEqual(body.messages[0], { role: 'system', content: 'Be brief.' });
      });

      it("should surface a mid-stream upstream failure as the SDK's error part", async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Pa', 'ris', '.'], usage: USAGE }), breakAfter: 2 });
        const errors: unknown[] = [];
        const result = streamText({ model: chatModel(), prompt: 'Capital?', onError: ({ error }) => void errors.push(error) });
        let text = '';
        for await (const part of result.fullStream) if (part.type === 'text-delta') text += part.text;
        assert.equal(text, 'Pa');
        assert.equal(await result.finishReason, 'error');
        assert.match(JSON.stringify(errors[0]), /upstream stream broke off/);
      });

      it('should generateObject through response_format json_schema', async () => {
        fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: '{"name":"Paris","population":2100000}' }) });
        const result = await generateObject({ model: chatModel(), schema: cityFacts, prompt: 'Facts about Paris' });
        assert.deepEqual(result.object, { name: 'Paris', population: 2100000 });
        const format = fake.calls[0]!.body.response_format;
        assert.equal(format.type, 'json_schema');
        assert.deepEqual(Object.keys(format.json_schema.schema.properties), ['name', 'population']);
      });
    });

    describe('LangChain ChatOpenAI (Chat Completions)', () => {
      const chatModel = () =>
        new ChatOpenAI({ model: 'gpt-4o', apiKey: TEST_KEYS[0], maxRetries: 0, configuration: { baseURL: app.baseURL } });

      it('should invoke and return the upstream answer with usage', async () => {
        fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: 'Paris.', usage: USAGE }) });
        const message = await chatModel().invoke('Capital of France?');
        assert.equal(message.content, 'Paris.');
        assert.equal(message.usage_metadata?.input_tokens, 11);
        assert.equal(message.usage_metadata?.output_tokens, 3);
        assert.deepEqual(fake.calls[0]!.body.messages, [{ role: 'user', content: 'Capital of France?' }]);
      });

      it('should stream the answer in pieces', async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Pa', 'ris', '.'], usage: USAGE }) });
        const pieces: string[] = [];
        for await (const chunk of await chatModel().stream('Capital of France?')) {
          if (typeof chunk.content === 'string' && chunk.content !== '') pieces.push(chunk.content);
        }
        assert.deepEqual(pieces, ['Pa', 'ris', '.']);
        assert.equal(fake.calls[0]!.body.stream, true);
      });

      it('should round-trip a tool call with bindTools', async () => {
        scriptToolLoop(fake, 'It is sunny in Paris.');
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
        assert.equal(answer.content, 'It is sunny in Paris.');
        const sent = toolMessageSent(fake, 1);
        assert.ok(sent, JSON.stringify(fake.calls[1]?.body.messages));
        assert.deepEqual(JSON.parse(contentText(sent.content)), { city: 'Paris', forecast: 'sunny' });
      });

      it('should stream a tool call in chunks', async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [WEATHER_CALL], usage: USAGE }) });
        const weather = lcTool(async () => 'sunny', { name: 'weather', description: 'Weather', schema: weatherSchema });
        let whole: AIMessageChunk | undefined;
        for await (const chunk of await chatModel().bindTools([weather]).stream('Weather in Paris?')) {
          whole = whole ? whole.concat(chunk) : chunk;
        }
        assert.deepEqual(whole?.tool_calls?.map((c) => [c.name, c.args]), [['weather', { city: 'Paris' }]]);
        assert.equal(whole?.usage_metadata?.total_tokens, 14);
      });

      it("should fail with the upstream's 429 status and message", async () => {
        const body = { error: { message: 'Slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
        fake.enqueue(CHAT, { type: 'error', status: 429, body });
        const err: unknown = await chatModel().invoke('Hi').catch((e: unknown) => e);
        assert.ok(err instanceof Error, String(err));
        assert.match(err.message, /Slow down/);
        assert.equal((err as { status?: number }).status, 429);
      });

      it('should parse withStructuredOutput', async () => {
        fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ content: '{"name":"Paris","population":2100000}' }) });
        const facts = await chatModel().withStructuredOutput(cityFacts).invoke('Facts about Paris');
        assert.deepEqual(facts, { name: 'Paris', population: 2100000 });
        assert.equal(fake.calls[0]!.body.response_format.type, 'json_schema');
      });
    });

    describe('OpenAI Agents SDK (chat completions model)', () => {
      it('should run an agent with a function tool to its final output', async () => {
        scriptToolLoop(fake, 'It is sunny in Paris.');
        const client = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 });
        const weather = agentTool({
          name: 'weather',
          description: 'The weather in a city',
          parameters: weatherSchema,
          execute: async ({ city }) => `sunny in ${city}`,
        });
        const agent = new Agent({
          name: 'Forecaster',
          instructions: 'Answer with the forecast.',
          model: new OpenAIChatCompletionsModel(client, 'gpt-4o'),
          tools: [weather],
        });
        const result = await run(agent, 'Weather in Paris?');
        assert.equal(result.finalOutput, 'It is sunny in Paris.');
        assert.equal(fake.calls[0]!.body.messages[0].content, 'Answer with the forecast.');
        assert.equal(contentText(toolMessageSent(fake, 1)?.content), 'sunny in Paris');
      });
    });

    describe('OpenAI Agents SDK, streamed', () => {
      it('should stream an agent run with a function tool to its final output', async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [WEATHER_CALL], usage: USAGE }) });
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['It is ', 'sunny.'], usage: USAGE }) });
        const client = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: app.baseURL, maxRetries: 0 });
        const weather = agentTool({ name: 'weather', description: 'Weather', parameters: weatherSchema, execute: async ({ city }) => `sunny in ${city}` });
        const agent = new Agent({ name: 'Forecaster', model: new OpenAIChatCompletionsModel(client, 'gpt-4o'), tools: [weather] });
        const result = await run(agent, 'Weather in Paris?', { stream: true });
        let text = '';
        for await (const piece of result.toTextStream()) text += piece;
        await result.completed;
        assert.equal(text, 'It is sunny.');
        assert.equal(result.finalOutput, 'It is sunny.');
        assert.equal(contentText(toolMessageSent(fake, 1)?.content), 'sunny in Paris');
        assert.equal(result.state.usage.totalTokens, 28);
      });
    });

    describe('one-call assistant chat through the AI SDK', () => {
      let assistantId: string;
      let forecasterId: string;
      before(async () => {
        const assistant = await app.client().beta.assistants.create({ model: 'gpt-4o', instructions: 'You answer in French.' });
        assistantId = assistant.id;
        const forecaster = await app.client().beta.assistants.create({
          model: 'gpt-4o',
          tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        });
        forecasterId = forecaster.id;
      });
      const chatModel = () => createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] }).chat(assistantId);

      it('should answer generateText with the assistant instructions upstream', async () => {
        // The assistant's run always streams from the upstream.
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Paris.', usage: USAGE }) });
        const result = await generateText({ model: chatModel(), prompt: 'Capital of France?' });
        assert.equal(result.text, 'Paris.');
        assert.equal(result.finishReason, 'stop');
        assert.deepEqual(fake.calls[0]!.body.messages[0], { role: 'system', content: 'You answer in French.' });
      });

      it("should hand the assistant's function call to the client and take its result back", async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ toolCalls: [WEATHER_CALL], usage: USAGE }) });
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Il fait beau.', usage: USAGE }) });
        const weather = aiTool({ inputSchema: weatherSchema, execute: async ({ city }) => `sunny in ${city}` });
        const model = createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] }).chat(forecasterId);
        const result = await generateText({ model, tools: { weather }, stopWhen: stepCountIs(3), prompt: 'Weather?' });
        assert.equal(result.text, 'Il fait beau.');
        assert.equal(result.steps[0]!.finishReason, 'tool-calls');
        assert.equal(fake.calls[0]!.body.tools[0].function.name, 'weather');
        assert.equal(contentText(toolMessageSent(fake, 1)?.content), 'sunny in Paris');
      });

      it("should hand generateObject's response_format and the call's settings to the assistant's model", async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: '{"name":"Paris","population":2100000}', usage: USAGE }) });
        const result = await generateObject({ model: chatModel(), schema: cityFacts, prompt: 'Facts', temperature: 0.3, maxOutputTokens: 40 });
        assert.deepEqual(result.object, { name: 'Paris', population: 2100000 });
        const body = fake.calls[0]!.body;
        assert.equal(body.response_format?.type, 'json_schema');
        assert.deepEqual(Object.keys(body.response_format.json_schema.schema.properties), ['name', 'population']);
        assert.equal(body.temperature, 0.3);
        assert.equal(body.max_completion_tokens ?? body.max_tokens, 40);
      });

      it("should keep the client's tool_choice for the assistant's tools", async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Il fait beau.', usage: USAGE }) });
        const weather = aiTool({ inputSchema: weatherSchema });
        const model = createOpenAI({ baseURL: app.baseURL, apiKey: TEST_KEYS[0] }).chat(forecasterId);
        await generateText({ model, tools: { weather }, toolChoice: 'none', prompt: 'Weather?' });
        assert.equal(fake.calls[0]!.body.tool_choice, 'none');
      });

      it('should stream the answer in pieces through streamText', async () => {
        fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: ['Pa', 'ris', '.'], usage: USAGE }) });
        const result = streamText({ model: chatModel(), prompt: 'Capital of France?' });
        const pieces: string[] = [];
        for await (const piece of result.textStream) pieces.push(piece);
        assert.equal(pieces.join(''), 'Paris.');
        assert.ok(pieces.length > 1, JSON.stringify(pieces));
        assert.equal(await result.finishReason, 'stop');
        assert.equal((await result.usage).totalTokens, 14);
      });
    });

    describe('through a provider Switchboard encodes itself (Anthropic)', () => {
      let claude: FakeAnthropic;
      let claudeApp: TestApp;
      before(async () => {
        claude = await startFakeAnthropic();
        claudeApp = await createTestApp({ dialect, yaml: anthropicYaml(claude.url) });
      });
      after(async () => {
        await claudeApp.close();
        await claude.close();
      });

      it('should stream an AI SDK tool loop', async () => {
        claude.enqueue(claudeCallsWeather(), claudeSays(['It is ', 'sunny.']));
        const weather = aiTool({ inputSchema: weatherSchema, execute: async ({ city }) => `sunny in ${city}` });
        const model = createOpenAI({ baseURL: claudeApp.baseURL, apiKey: TEST_KEYS[0] }).chat('claude');
        const result = streamText({ model, tools: { weather }, stopWhen: stepCountIs(3), prompt: 'Weather?' });
        const pieces: string[] = [];
        for await (const piece of result.textStream) pieces.push(piece);
        assert.deepEqual(pieces, ['It is ', 'sunny.']);
        const [first] = await result.steps;
        assert.deepEqual(first!.toolCalls.map((c) => [c.toolCallId, c.input]), [['toolu_weather1', { city: 'Paris' }]]);
        // A tool-call answer opens with `content: null`, as OpenAI's does: no empty text part.
        assert.deepEqual(first!.content.map((c) => c.type), ['tool-call', 'tool-result']);
        assert.equal(claudeToolResult(claude), 'sunny in Paris');
        assert.equal((await result.totalUsage).totalTokens, 38);
      });

      it('should stream a LangChain tool call', async () => {
        claude.enqueue(claudeCallsWeather());
        const weather = lcTool(async () => 'sunny', { name: 'weather', description: 'Weather', schema: weatherSchema });
        const model = new ChatOpenAI({ model: 'claude', apiKey: TEST_KEYS[0], maxRetries: 0, configuration: { baseURL: claudeApp.baseURL } });
        let whole: AIMessageChunk | undefined;
        for await (const chunk of await model.bindTools([weather]).stream('Weather in Paris?')) whole = whole ? whole.concat(chunk) : chunk;
        assert.deepEqual(whole?.tool_calls?.map((c) => [c.id, c.name, c.args]), [['toolu_weather1', 'weather', { city: 'Paris' }]]);
        assert.equal(whole?.usage_metadata?.total_tokens, 19);
      });

      it('should stream an Agents SDK run with a function tool', async () => {
        claude.enqueue(claudeCallsWeather(), claudeSays(['It is ', 'sunny.']));
        const client = new OpenAI({ apiKey: TEST_KEYS[0], baseURL: claudeApp.baseURL, maxRetries: 0 });
        const weather = agentTool({ name: 'weather', description: 'Weather', parameters: weatherSchema, execute: async ({ city }) => `sunny in ${city}` });
        const agent = new Agent({ name: 'Forecaster', model: new OpenAIChatCompletionsModel(client, 'claude'), tools: [weather] });
        const result = await run(agent, 'Weather in Paris?', { stream: true });
        let text = '';
        for await (const piece of result.toTextStream()) text += piece;
        await result.completed;
        assert.equal(result.finalOutput, 'It is sunny.');
        assert.equal(text, 'It is sunny.');
        assert.equal(claudeToolResult(claude), 'sunny in Paris');
      });
    });
  });
}
