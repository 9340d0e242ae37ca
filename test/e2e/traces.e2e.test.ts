import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks, chatCompletion } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';
import { startOtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { waitFor } from '../support/until.js';

const CHAT = '/v1/chat/completions';
const SERVER = 2;
const CLIENT = 3;
// The batch processor's delay (default 5 s), read by the SDK when the tracer starts.
process.env.OTEL_BSP_SCHEDULE_DELAY = '50';

const otelModulesLoaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('@opentelemetry/sdk-trace'));

// First, before any server in this process has started the tracer.
describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('should load nothing of the tracing SDK', async () => {
    const fake = await startFakeUpstream();
    const plain = await createTestApp({ dialect: testDialects()[0], env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
    try {
      fake.enqueue(CHAT, { type: 'json', body: chatCompletion() });
      await plain.client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
      assert.deepEqual(otelModulesLoaded(), []);
    } finally {
      await plain.close();
      await fake.close();
    }
  });
});

for (const dialect of testDialects()) {
  describe(`OpenTelemetry traces (${dialect})`, () => {
    let fake: FakeUpstream;
    let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
    let app: TestApp;
    let client: OpenAI;
    const named = (name: string) => receiver.spans.filter((s) => s.name === name);
    const one = async (what: string, pick: (s: ReceivedSpan) => boolean): Promise<ReceivedSpan> => {
      await waitFor(() => receiver.spans.some(pick), what);
      return receiver.spans.find(pick)!;
    };

    before(async () => {
      fake = await startFakeUpstream();
      receiver = await startOtlpReceiver();
    });
    after(async () => {
      await app?.close();
      await receiver.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    it('should send one server span per request, with the route, status and request id', async () => {
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
      client = app.client();
      fake.enqueue(CHAT, { type: 'json', body: chatCompletion({ usage: { prompt_tokens: 12, completion_tokens: 3 } }) });
      const { response } = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
      const requestId = response.headers.get('x-request-id')!;
      const span = await one('the request span', (s) => s.attributes['switchboard.request_id'] === requestId && s.kind === SERVER);
      assert.equal(span.name, 'POST /v1/chat/completions');
      assert.equal(span.parentSpanId, undefined);
      assert.deepEqual(
        [span.attributes['http.request.method'], span.attributes['http.route'], span.attributes['http.response.status_code']],
        ['POST', '/v1/chat/completions', 200],
      );
      assert.equal(span.resource['service.name'], 'switchboard');
      assert.match(receiver.paths[0]!, /^POST \/v1\/traces application\/json/);
    });

    it('should make the model call a client span under the request span, with GenAI attributes and tokens', async () => {
      fake.enqueue(CHAT, { type: 'sse', chunks: chatChunks({ content: 'Paris.', usage: { prompt_tokens: 20, completion_tokens: 2 } }) });
      const { data: stream, response } = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'capital?' }], stream: true })
        .withResponse();
      const requestId = response.headers.get('x-request-id')!;
      for await (const _ of stream);
      const request = await one('the request span', (s) => s.attributes['switchboard.request_id'] === requestId && s.kind === SERVER);
      const call = await one('the model span', (s) => s.attributes['switchboard.request_id'] === requestId && s.kind === CLIENT);
      assert.equal(call.name, 'chat gpt-4o');
      assert.equal(call.traceId, request.traceId);
      assert.equal(call.parentSpanId, request.spanId);
      assert.deepEqual(
        ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens'].map(
          (k) => call.attributes[k],
        ),
        ['chat', 'default', 'gpt-4o', 20, 2],
      );
    });

    it('should continue a caller trace given in traceparent', async () => {
      fake.enqueue(CHAT, { type: 'json', body: chatCompletion() });
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await fetch(`${app.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-test-tenant-a-0001', 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
        body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200);
      const requestId = res.headers.get('x-request-id');
      const span = await one('the request span', (s) => s.attributes['switchboard.request_id'] === requestId && s.kind === SERVER);
      assert.equal(span.traceId, traceId);
      assert.equal(span.parentSpanId, '00f067aa0ba902b7');
    });

    it('should give a run a span linked to the request that created it, with its model and tool calls as children', async () => {
      const store = await client.vectorStores.create({ name: 'empty' });
      const assistant = await client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
      fake.enqueue(
        CHAT,
        { type: 'sse', chunks: chatChunks({ toolCalls: [{ id: 'call_fs1', name: 'file_search', arguments: '{"query":"argon"}' }], usage: {} }) },
        { type: 'sse', chunks: chatChunks({ content: 'Nothing found.', usage: {} }) },
      );
      const { data: run, response } = await client.beta.threads
        .createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'argon?' }] } })
        .withResponse();
      const request = await one('the request span', (s) => s.attributes['switchboard.request_id'] === response.headers.get('x-request-id'));
      assert.equal(request.name, 'POST /v1/threads/runs');
      const runSpan = await one('the run span', (s) => s.name === 'invoke_agent' && s.attributes['switchboard.run_id'] === run.id);
      assert.equal(runSpan.parentSpanId, undefined);
      assert.deepEqual(runSpan.links, [{ traceId: request.traceId, spanId: request.spanId }]);
      assert.equal(runSpan.attributes['gen_ai.agent.id'], assistant.id);
      const tool = await one('the tool span', (s) => s.name === 'execute_tool file_search');
      assert.deepEqual(
        [tool.traceId, tool.parentSpanId, tool.attributes['gen_ai.tool.type'], tool.attributes['gen_ai.tool.call.id']],
        [runSpan.traceId, runSpan.spanId, 'file_search', 'call_fs1'],
      );
      await waitFor(() => named('chat gpt-4o').filter((s) => s.parentSpanId === runSpan.spanId).length === 2, 'two model spans under the run');
    });
  });
}
