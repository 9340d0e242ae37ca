import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.js';
import { chatChunks, DEFAULT_CONTENT } from '../fakes/chunks.js';
import { createTestApp, type TestApp } from '../support/create-test-app.js';
import { testDialects } from '../support/databases.js';

const INSTRUCTIONS = 'You answer in French.';
const lookup = (id: string, q: string) => ({ id, type: 'function' as const, function: { name: 'lookup', arguments: JSON.stringify({ q }) } });

/** A standard tool loop's follow-up turn: the model's call and the app's result. */
const FOLLOW_UP: ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'What is x?' },
  { role: 'assistant', content: null, tool_calls: [lookup('call_1', 'x')] },
  { role: 'tool', tool_call_id: 'call_1', content: 'x is 42' },
];

/** What the model must receive for FOLLOW_UP: the whole conversation, the assistant's instructions first. */
const FOLLOW_UP_PROMPT = [
  { role: 'system', content: `${INSTRUCTIONS}\n\nBe brief.` },
  { role: 'user', content: 'What is x?' },
  { role: 'assistant', content: null, tool_calls: [lookup('call_1', 'x')] },
  { role: 'tool', tool_call_id: 'call_1', content: 'x is 42' },
];

for (const dialect of testDialects()) {
  describe(`one-call assistant chat with tool results (${dialect})`, () => {
    let fake: FakeUpstream;
    let app: TestApp;
    let client: OpenAI;
    let assistantId: string;

    before(async () => {
      fake = await startFakeUpstream();
      app = await createTestApp({ dialect, env: { SWITCHBOARD_UPSTREAM_URL: fake.url } });
      client = app.client();
      assistantId = (
        await client.beta.assistants.create({
          model: 'gpt-4o',
          instructions: INSTRUCTIONS,
          tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
        })
      ).id;
    });
    after(async () => {
      await app.close();
      await fake.close();
    });
    beforeEach(() => fake.reset());

    /** The answer text, through each entry point, streamed or not. */
    const entryPoints: Record<string, (messages: ChatCompletionMessageParam[]) => Promise<string | null | undefined>> = {
      'model "asst_…"': async (messages) =>
        (await client.chat.completions.create({ model: assistantId, messages })).choices[0]?.message.content,
      'model "asst_…", streaming': async (messages) => {
        const stream = await client.chat.completions.create({ model: assistantId, messages, stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      },
      '/assistants/{id}/chat': async (messages) =>
        (await client.post<ChatCompletion>(`/assistants/${assistantId}/chat`, { body: { messages } })).choices[0]?.message.content,
      '/assistants/{id}/chat, streaming': async (messages) => {
        const stream = await client.post(`/assistants/${assistantId}/chat`, { body: { messages, stream: true }, stream: true });
        let text = '';
        for await (const chunk of stream as AsyncIterable<{ choices: Array<{ delta: { content?: string } }> }>)
          text += chunk.choices[0]?.delta.content ?? '';
        return text;
      },
    };

    for (const [name, ask] of Object.entries(entryPoints))
      it(`should send the model the call and its result through ${name}`, async () => {
        assert.equal(await ask(FOLLOW_UP), DEFAULT_CONTENT);
        assert.equal(fake.calls.length, 1);
        assert.deepEqual(fake.calls[0]!.body.messages, FOLLOW_UP_PROMPT);
      });

    it('should stream the call the assistant wants and the usage, as the SDK reads them', async () => {
      fake.enqueue('/v1/chat/completions', {
        type: 'sse',
        chunks: chatChunks({ toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"q":"w"}' }], usage: {} }),
      });
      const stream = client.chat.completions.stream({ model: assistantId, messages: FOLLOW_UP, stream_options: { include_usage: true } });
      const completion = await stream.finalChatCompletion();
      assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
      const call = completion.choices[0]?.message.tool_calls?.[0];
      assert.deepEqual(call?.type === 'function' && { id: call.id, ...call.function }, { id: 'call_9', name: 'lookup', arguments: '{"q":"w"}' });
      assert.equal(completion.usage?.total_tokens, 17);
      assert.deepEqual(fake.calls[0]!.body.messages, FOLLOW_UP_PROMPT);
    });

    it('should send every round of a longer conversation in order', async () => {
      const rounds: ChatCompletionMessageParam[] = [
        ...FOLLOW_UP,
        { role: 'assistant', content: 'x vaut 42.' },
        { role: 'user', content: 'And y and z?' },
        { role: 'assistant', content: 'Je cherche.', tool_calls: [lookup('call_2', 'y'), lookup('call_3', 'z')] },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'y is 7' }] },
        { role: 'tool', tool_call_id: 'call_3', content: 'z is 9' },
      ];
      assert.equal(await entryPoints['model "asst_…"']!(rounds), DEFAULT_CONTENT);
      assert.deepEqual(fake.calls[0]!.body.messages, [
        ...FOLLOW_UP_PROMPT,
        { role: 'assistant', content: 'x vaut 42.' },
        { role: 'user', content: 'And y and z?' },
        // A run replays the text the model wrote before its calls as a message of its own (build-prompt.ts).
        { role: 'assistant', content: 'Je cherche.' },
        { role: 'assistant', content: null, tool_calls: [lookup('call_2', 'y'), lookup('call_3', 'z')] },
        { role: 'tool', tool_call_id: 'call_2', content: 'y is 7' },
        { role: 'tool', tool_call_id: 'call_3', content: 'z is 9' },
      ]);
    });

    it('should answer 400 for a tool result that answers no call, as OpenAI does', async () => {
      const err = await client.chat.completions
        .create({ model: assistantId, messages: [{ role: 'user', content: 'Hi' }, { role: 'tool', tool_call_id: 'call_x', content: '?' }] })
        .catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.BadRequestError, String(err));
      assert.equal(err.param, 'messages.[1].role');
      assert.equal(fake.calls.length, 0);
    });
  });
}
