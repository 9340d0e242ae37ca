import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageContent } from 'openai/resources/beta/threads/messages';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { buildPrompt, buildRunPrompt } from './build-prompt.js';
import type { PromptFitter } from './context-window.js';
import { fitToContext, messageTokens, type PromptFit } from './fit-prompt.js';

const RUN_ID = 'run_now';

function run(overrides: Partial<RunRow> = {}): RunRow {
  return {
    id: RUN_ID,
    tenant_id: 'ten_1',
    thread_id: 'thread_1',
    assistant_id: 'asst_1',
    api_key_id: 'key_1',
    seq: 1,
    created_at: 1_700_000_000,
    status: 'in_progress',
    model: 'gpt-test',
    instructions: 'Be brief.',
    tools: '[]',
    tool_resources: null,
    metadata: '{}',
    temperature: null,
    top_p: null,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: JSON.stringify({ type: 'auto', last_messages: null }),
    response_format: null,
    tool_choice: null,
    parallel_tool_calls: 1,
    reasoning_effort: null,
    required_action: null,
    last_error: null,
    incomplete_details: null,
    usage: null,
    expires_at: null,
    started_at: 1_700_000_001,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    lease_owner: 'worker_a',
    lease_expires_at: null,
    attempts: 1,
    ...overrides,
  };
}

let seq = 0;
const text = (value: string): MessageContent => ({ type: 'text', text: { value, annotations: [] } });

function message(
  id: string,
  role: MessageRow['role'],
  content: MessageContent[] | string,
  runId: string | null = null,
): MessageRow {
  seq += 1;
  return {
    id,
    tenant_id: 'ten_1',
    thread_id: 'thread_1',
    seq,
    created_at: 1_700_000_000,
    role,
    content: JSON.stringify(typeof content === 'string' ? [text(content)] : content),
    attachments: '[]',
    metadata: '{}',
    assistant_id: role === 'assistant' ? 'asst_1' : null,
    run_id: runId,
    status: 'completed',
    incomplete_details: null,
    completed_at: 1_700_000_000,
    incomplete_at: null,
  };
}

function step(type: RunStepRow['type'], details: unknown, toolOutputs: Record<string, string> | null = null): RunStepRow {
  seq += 1;
  return {
    id: `step_${seq}`,
    tenant_id: 'ten_1',
    run_id: RUN_ID,
    thread_id: 'thread_1',
    assistant_id: 'asst_1',
    seq,
    created_at: 1_700_000_000,
    type,
    status: 'completed',
    step_details: JSON.stringify(details),
    tool_outputs: toolOutputs === null ? null : JSON.stringify(toolOutputs),
    last_error: null,
    usage: null,
    metadata: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: 1_700_000_000,
  };
}

const messageStep = (messageId: string) =>
  step('message_creation', { type: 'message_creation', message_creation: { message_id: messageId } });

const fnCall = (id: string, name: string, args: string): ToolCall => ({
  id,
  type: 'function',
  function: { name, arguments: args, output: null },
});

const toolStep = (calls: ToolCall[], outputs: Record<string, string> | null) =>
  step('tool_calls', { type: 'tool_calls', tool_calls: calls }, outputs);

describe('buildPrompt', () => {
  it('should start with a system message holding the run instructions', () => {
    const prompt = buildPrompt({ run: run(), messages: [message('msg_1', 'user', 'hi')], steps: [] });
    assert.deepEqual(prompt[0], { role: 'system', content: 'Be brief.' });
  });

  it('should leave out the system message when the instructions are empty', () => {
    const prompt = buildPrompt({ run: run({ instructions: '' }), messages: [message('msg_1', 'user', 'hi')], steps: [] });
    assert.deepEqual(prompt, [{ role: 'user', content: 'hi' }]);
  });

  it('should send a text-only user message as a string', () => {
    const prompt = buildPrompt({
      run: run(),
      messages: [message('msg_1', 'user', [text('Hello, '), text('world')])],
      steps: [],
    });
    assert.deepEqual(prompt.slice(1), [{ role: 'user', content: 'Hello, world' }]);
  });

  it('should keep image_url parts with their detail next to the text parts', () => {
    const content: MessageContent[] = [
      text('What is this?'),
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
    ];
    const prompt = buildPrompt({ run: run(), messages: [message('msg_1', 'user', content)], steps: [] });
    assert.deepEqual(prompt.slice(1), [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
        ],
      },
    ]);
  });

  it('should omit detail for an image_url part without one', () => {
    const content: MessageContent[] = [{ type: 'image_url', image_url: { url: 'https://example.com/b.png' } }];
    const prompt = buildPrompt({ run: run(), messages: [message('msg_1', 'user', content)], steps: [] });
    assert.deepEqual(prompt.slice(1), [
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/b.png' } }] },
    ]);
  });

  it('should drop image_file parts', () => {
    const content: MessageContent[] = [
      text('Look:'),
      { type: 'image_file', image_file: { file_id: 'file-1' } },
      { type: 'image_url', image_url: { url: 'https://example.com/c.png', detail: 'high' } },
    ];
    const prompt = buildPrompt({ run: run(), messages: [message('msg_1', 'user', content)], steps: [] });
    assert.deepEqual(prompt.slice(1), [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look:' },
          { type: 'image_url', image_url: { url: 'https://example.com/c.png', detail: 'high' } },
        ],
      },
    ]);
  });

  it('should send a user message as a string when only image_file parts sit beside the text', () => {
    const content: MessageContent[] = [text('Only text survives'), { type: 'image_file', image_file: { file_id: 'file-1' } }];
    const prompt = buildPrompt({ run: run(), messages: [message('msg_1', 'user', content)], steps: [] });
    assert.deepEqual(prompt.slice(1), [{ role: 'user', content: 'Only text survives' }]);
  });

  it('should replay assistant messages of earlier runs as assistant messages, in thread order', () => {
    const messages = [
      message('msg_1', 'user', 'first question'),
      message('msg_2', 'assistant', 'first answer', 'run_old'),
      message('msg_3', 'user', 'second question'),
    ];
    const prompt = buildPrompt({ run: run(), messages, steps: [] });
    assert.deepEqual(prompt, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question' },
    ]);
  });

  it("should exclude this run's own messages from the history", () => {
    const messages = [message('msg_1', 'user', 'question'), message('msg_2', 'assistant', 'half an answer', RUN_ID)];
    const prompt = buildPrompt({ run: run(), messages, steps: [] });
    assert.deepEqual(prompt.slice(1), [{ role: 'user', content: 'question' }]);
  });

  it("should replay this run's messages from its message_creation steps, after the history", () => {
    const messages = [
      message('msg_1', 'user', 'question'),
      message('msg_2', 'assistant', 'let me check', RUN_ID),
      message('msg_3', 'user', 'a later message'),
    ];
    const prompt = buildPrompt({ run: run(), messages, steps: [messageStep('msg_2')] });
    assert.deepEqual(prompt.slice(1), [
      { role: 'user', content: 'question' },
      { role: 'user', content: 'a later message' },
      { role: 'assistant', content: 'let me check' },
    ]);
  });

  it('should skip a message_creation step whose message is missing', () => {
    const prompt = buildPrompt({ run: run(), messages: [message('msg_1', 'user', 'q')], steps: [messageStep('msg_gone')] });
    assert.deepEqual(prompt.slice(1), [{ role: 'user', content: 'q' }]);
  });

  it('should replay a tool_calls step as an assistant tool_calls message followed by tool messages in order', () => {
    const calls = [fnCall('call_a', 'get_weather', '{"city":"Oslo"}'), fnCall('call_b', 'get_time', '{}')];
    const prompt = buildPrompt({
      run: run(),
      messages: [message('msg_1', 'user', 'weather and time?')],
      steps: [toolStep(calls, { call_a: 'rainy', call_b: '12:00' })],
    });
    assert.deepEqual(prompt.slice(2), [
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'rainy' },
      { role: 'tool', tool_call_id: 'call_b', content: '12:00' },
    ]);
  });

  it('should take tool outputs from the tool_outputs column, not from the step details', () => {
    const call: ToolCall = { id: 'call_a', type: 'function', function: { name: 'f', arguments: '{}', output: 'from details' } };
    const prompt = buildPrompt({ run: run(), messages: [], steps: [toolStep([call], { call_a: 'from column' })] });
    assert.deepEqual(prompt.at(-1), { role: 'tool', tool_call_id: 'call_a', content: 'from column' });
  });

  it('should leave out calls that have no output', () => {
    const calls = [fnCall('call_a', 'f', '{}'), fnCall('call_b', 'g', '{}')];
    const prompt = buildPrompt({ run: run(), messages: [], steps: [toolStep(calls, { call_b: 'done' })] });
    assert.deepEqual(prompt.slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_b', content: 'done' },
    ]);
  });

  it('should leave out a tool_calls step without any outputs', () => {
    const prompt = buildPrompt({ run: run(), messages: [], steps: [toolStep([fnCall('call_a', 'f', '{}')], null)] });
    assert.deepEqual(prompt, [{ role: 'system', content: 'Be brief.' }]);
  });

  it('should replay message and tool steps in step order', () => {
    const messages = [message('msg_1', 'user', 'q'), message('msg_2', 'assistant', 'checking', RUN_ID), message('msg_3', 'assistant', 'done', RUN_ID)];
    const steps = [messageStep('msg_2'), toolStep([fnCall('call_a', 'f', '{}')], { call_a: 'ok' }), messageStep('msg_3')];
    const prompt = buildPrompt({ run: run(), messages, steps });
    assert.deepEqual(
      prompt.map((m) => m.role),
      ['system', 'user', 'assistant', 'assistant', 'tool', 'assistant'],
    );
    assert.deepEqual(prompt[2], { role: 'assistant', content: 'checking' });
    assert.deepEqual(prompt[5], { role: 'assistant', content: 'done' });
  });

  it('should keep only the last N history messages with truncation_strategy last_messages', () => {
    const messages = ['one', 'two', 'three', 'four'].map((t, i) => message(`msg_${i}`, 'user', t));
    const prompt = buildPrompt({
      run: run({ truncation_strategy: JSON.stringify({ type: 'last_messages', last_messages: 2 }) }),
      messages,
      steps: [],
    });
    assert.deepEqual(prompt, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'three' },
      { role: 'user', content: 'four' },
    ]);
  });

  it("should not count this run's own steps against last_messages", () => {
    const messages = [
      message('msg_1', 'user', 'old'),
      message('msg_2', 'user', 'recent'),
      message('msg_3', 'assistant', 'mine', RUN_ID),
    ];
    const prompt = buildPrompt({
      run: run({ truncation_strategy: JSON.stringify({ type: 'last_messages', last_messages: 1 }) }),
      messages,
      steps: [messageStep('msg_3')],
    });
    assert.deepEqual(prompt.slice(1), [
      { role: 'user', content: 'recent' },
      { role: 'assistant', content: 'mine' },
    ]);
  });

  it('should keep every message with truncation_strategy auto when no context budget is known', () => {
    const messages = ['one', 'two', 'three', 'four'].map((t, i) => message(`msg_${i}`, 'user', t));
    const prompt = buildPrompt({ run: run(), messages, steps: [] });
    assert.equal(prompt.length, 5);
  });

  it('should keep every message when truncation_strategy is null', () => {
    const messages = ['one', 'two', 'three'].map((t, i) => message(`msg_${i}`, 'user', t));
    const prompt = buildPrompt({ run: run({ truncation_strategy: null }), messages, steps: [] });
    assert.equal(prompt.length, 4);
  });
});

/** One token per character: sizes the tests can add up by hand. */
const perChar = (budget: number): PromptFit => ({ maxPromptTokens: budget, countTokens: (t) => t.length });
/** A user message of `n` characters. */
const userOf = (id: string, n: number) => message(id, 'user', 'x'.repeat(n));

describe('truncation_strategy auto', () => {
  // A user message of 100 characters takes 3 + 4 ('user') + 100 = 107 tokens; the system message 3 + 6 + 9 = 18; the reply 3.
  const threadOf = () => [userOf('msg_1', 100), userOf('msg_2', 100), userOf('msg_3', 100), userOf('msg_4', 100)];

  it('should drop the oldest thread messages until the prompt fits, keeping the instructions', () => {
    const prompt = buildPrompt({ run: run(), messages: threadOf(), steps: [], fit: perChar(3 + 18 + 2 * 107) });
    assert.equal(prompt.length, 3);
    assert.deepEqual(prompt[0], { role: 'system', content: 'Be brief.' });
    assert.equal(prompt[1]!.content, 'x'.repeat(100));
    assert.equal(prompt.reduce((n, m) => n + messageTokens(m, (t) => t.length), 3), 3 + 18 + 2 * 107);
  });

  it('should keep the whole thread when it fits', () => {
    const prompt = buildPrompt({ run: run(), messages: threadOf(), steps: [], fit: perChar(3 + 18 + 4 * 107) });
    assert.equal(prompt.length, 5);
  });

  it('should keep the newest message even when it alone is too large', () => {
    const prompt = buildPrompt({ run: run(), messages: threadOf(), steps: [], fit: perChar(10) });
    assert.deepEqual(
      prompt.map((m) => m.role),
      ['system', 'user'],
    );
  });

  it("should keep this run's own steps and drop older thread messages instead", () => {
    const messages = [...threadOf(), message('msg_5', 'assistant', 'y'.repeat(100), RUN_ID)];
    const calls = [fnCall('call_1', 'lookup', '{}')];
    const steps = [toolStep(calls, { call_1: 'z'.repeat(50) }), messageStep('msg_5')];
    const prompt = buildPrompt({ run: run(), messages, steps, fit: perChar(400) });
    assert.deepEqual(
      prompt.map((m) => m.role),
      ['system', 'user', 'assistant', 'tool', 'assistant'],
    );
  });

  it('should leave last_messages truncation alone', () => {
    const prompt = buildPrompt({
      run: run({ truncation_strategy: JSON.stringify({ type: 'last_messages', last_messages: 3 }) }),
      messages: threadOf(),
      steps: [],
      fit: perChar(10),
    });
    assert.equal(prompt.length, 4);
  });

  it('should drop a tool call together with its results', () => {
    const call = { role: 'assistant' as const, content: null, tool_calls: [{ id: 'c1', type: 'function' as const, function: { name: 'f', arguments: '{}' } }] };
    const result = { role: 'tool' as const, tool_call_id: 'c1', content: 'r'.repeat(100) };
    const last = { role: 'user' as const, content: 'now' };
    // 3 + 15 (the call) + 107 (its result) + 10 = 135: dropping the call alone would fit 125, but its result goes with it.
    const kept = fitToContext({ head: [], thread: [call, result, last], tail: [] }, perChar(125));
    assert.deepEqual(kept, [last]);
  });
});

describe('buildRunPrompt with prompt_overflow fail (truncation disabled)', () => {
  const whole = { truncation_strategy: JSON.stringify({ type: 'last_messages', last_messages: null }), prompt_overflow: 'fail' as const };
  const thread = () => [message('msg_b1', 'user', 'Capital of France?')];
  // 3 for the reply; system: 3 + "system" + "Be brief."; user: 3 + "user" + "Capital of France?" (bytes).
  const BYTES = 3 + (3 + 6 + 9) + (3 + 4 + 18);

  it('should not count the tokens of a prompt whose byte length already fits', async () => {
    const asked: number[] = [];
    const fitter: PromptFitter = async (q) => (asked.push(q.promptTokens), 100_000);
    const prompt = await buildRunPrompt({ run: run(whole), messages: thread(), steps: [], fitter, maxTokens: null });
    assert.equal(prompt.length, 2);
    assert.deepEqual(asked, [BYTES]);
  });

  it('should count the tokens when the bound does not fit, and send a prompt that does', async () => {
    const asked: number[] = [];
    const fitter: PromptFitter = async (q) => (asked.push(q.promptTokens), BYTES - 1);
    const prompt = await buildRunPrompt({ run: run(whole), messages: thread(), steps: [], fitter, maxTokens: null });
    assert.equal(prompt.length, 2);
    assert.equal(asked.length, 2);
    assert.equal(asked[0], BYTES);
    assert.ok(asked[1]! < BYTES, `counted ${asked[1]}`);
  });

  it('should fail a prompt whose counted tokens do not fit', async () => {
    const fitter: PromptFitter = async () => 5;
    await assert.rejects(buildRunPrompt({ run: run(whole), messages: thread(), steps: [], fitter, maxTokens: null }), { code: 'context_length_exceeded' });
  });
});
