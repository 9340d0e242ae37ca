import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens, encode } from 'gpt-tokenizer';
import { completionText, countPromptTokens, estimateUsage, loadCounter, tokenizerSlices } from './count-tokens.js';

describe('gpt-tokenizer (o200k_base) reference counts', () => {
  it('should encode "Hello, world!" as the 4 known o200k_base tokens', () => {
    assert.deepEqual(encode('Hello, world!'), [13225, 11, 2375, 0]);
  });
});

describe('countPromptTokens', () => {
  it('should count 3 for the reply priming when there are no messages', async () => {
    assert.equal(await countPromptTokens({}), 3);
    assert.equal(await countPromptTokens({ messages: [] }), 3);
  });

  it('should count 3 + 3 per message + the tokens of role and content', async () => {
    // 'userHello, world!' is 5 tokens in o200k_base.
    assert.equal(countTokens('userHello, world!'), 5);
    assert.equal(await countPromptTokens({ messages: [{ role: 'user', content: 'Hello, world!' }] }), 3 + 3 + 5);
  });

  it('should grow by 3 + the message tokens for each added message', async () => {
    const one = [{ role: 'user', content: 'Hello, world!' }];
    const two = [...one, { role: 'assistant', content: 'Hello there' }];
    const a = await countPromptTokens({ messages: one });
    const b = await countPromptTokens({ messages: two });
    assert.equal(b - a, 3 + countTokens('assistantHello there'));
  });

  it('should grow with the length of a message', async () => {
    const short = await countPromptTokens({ messages: [{ role: 'user', content: 'Tell me a story.' }] });
    const long = await countPromptTokens({ messages: [{ role: 'user', content: 'Tell me a story. '.repeat(20) }] });
    assert.ok(long > short + 40, `${long} vs ${short}`);
  });

  it('should count the text parts of array content and ignore image parts', async () => {
    const parts = await countPromptTokens({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello, ' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'text', text: 'world!' },
          ],
        },
      ],
    });
    assert.equal(parts, 3 + 3 + countTokens('userHello, world!'));
  });

  it('should count the name and the tool calls of a message', async () => {
    const toolCalls = [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }];
    const n = await countPromptTokens({ messages: [{ role: 'assistant', name: 'bot', content: null, tool_calls: toolCalls }] });
    assert.equal(n, 3 + 3 + countTokens('assistantbot' + JSON.stringify(toolCalls)));
  });

  it('should add the tokens of the tools definition', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }];
    const messages = [{ role: 'user', content: 'Hi' }];
    const without = await countPromptTokens({ messages });
    const withTools = await countPromptTokens({ messages, tools });
    assert.equal(withTools - without, countTokens(JSON.stringify(tools)));
  });

  it('should count a non-object message as 3 tokens of framing', async () => {
    assert.equal(await countPromptTokens({ messages: [null, 42] }), 3 + 3 + 3);
  });

  it(
    'should count a message that contains a special-token string',
    async () => {
      const n = await countPromptTokens({ messages: [{ role: 'user', content: 'hi <|endoftext|> there' }] });
      assert.ok(n > 6);
    },
  );
});

describe('completionText', () => {
  it('should return the message content of chat.completion choices', () => {
    const choices = [
      { index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' },
      { index: 1, message: { role: 'assistant', content: ' again' }, finish_reason: 'stop' },
    ];
    assert.equal(completionText(choices), 'Hello again');
  });

  it('should append tool call names and arguments of a message', () => {
    const choices = [
      {
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'c2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
          ],
        },
      },
    ];
    assert.equal(completionText(choices), 'get_weather{"city":"Paris"}get_time{}');
  });

  it('should read stream deltas, content and tool call argument fragments', () => {
    const payloads = [
      [{ index: 0, delta: { role: 'assistant', content: '' } }],
      [{ index: 0, delta: { content: 'Let me check.' } }],
      [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'lookup', arguments: '' } }] } }],
      [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] } }],
      [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] } }],
      [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
    ];
    assert.equal(payloads.map((c) => completionText(c)).join(''), 'Let me check.lookup{"q":"x"}');
  });

  it('should read text and refusal parts of array content', () => {
    const choices = [{ message: { content: [{ type: 'text', text: 'a' }, { type: 'refusal', refusal: 'b' }, { type: 'other' }] } }];
    assert.equal(completionText(choices), 'ab');
  });

  it('should return an empty string for anything that is not an array of choices', () => {
    assert.equal(completionText(undefined), '');
    assert.equal(completionText({ message: { content: 'x' } }), '');
    assert.equal(completionText([null, { index: 0 }]), '');
  });
});

describe('estimateUsage', () => {
  it('should count prompt and completion tokens and their total', async () => {
    const u = await estimateUsage({
      requestBody: { messages: [{ role: 'user', content: 'Hello, world!' }] },
      completion: 'Hello, world!',
    });
    assert.deepEqual(u, { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 });
  });

  it('should count an empty completion as 0 tokens', async () => {
    const u = await estimateUsage({ requestBody: {}, completion: '' });
    assert.deepEqual(u, { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
  });
});

describe('tokenizerSlices', () => {
  it('should cut a text into slices of at most 128 characters, before a space, never inside a character', () => {
    const text = `${'word '.repeat(100)}${'x'.repeat(300)}${'😀'.repeat(100)} tail`;
    const slices = [...tokenizerSlices(text)];
    assert.equal(slices.join(''), text);
    assert.ok(slices.every((s) => s.length <= 128));
    assert.ok(slices.slice(1, 4).every((s) => s.startsWith(' ')), 'cut before a space where there is one');
    assert.ok(slices.every((s) => !/^[\uDC00-\uDFFF]/.test(s)), 'no slice starts with the second half of a character');
  });

  it('should count ordinary text exactly as the tokenizer does on the whole text', async () => {
    const count = await loadCounter();
    const prose = 'The warehouse in Rotterdam ships orders every weekday before noon, <|endoftext|> and more. '.repeat(200);
    assert.equal(count(prose), countTokens(prose, { allowedSpecial: new Set(), disallowedSpecial: new Set() }));
  });
});
