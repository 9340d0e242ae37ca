import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageContent } from 'openai/resources/beta/threads/messages';
import type { ConversationItemRow } from '../store/tables/conversation-items.table.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { buildPrompt } from './build-prompt.js';
import { historyMessages, threadEntries } from './thread-history.js';

let seq = 0;
const text = (value: string): MessageContent => ({ type: 'text', text: { value, annotations: [] } });

function message(id: string, role: MessageRow['role'], value: string, runId: string | null = null): MessageRow {
  seq += 1;
  return {
    id,
    tenant_id: 'ten_1',
    thread_id: 'thread_1',
    seq,
    created_at: 1_700_000_000,
    role,
    content: JSON.stringify([text(value)]),
    attachments: '[]',
    metadata: '{}',
    assistant_id: null,
    run_id: runId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
  };
}

function item(type: string, body: Record<string, unknown>): ConversationItemRow {
  seq += 1;
  const id = `item_${seq}`;
  return {
    id,
    tenant_id: 'ten_1',
    thread_id: 'thread_1',
    seq,
    created_at: 1_700_000_000,
    type,
    item: JSON.stringify({ type, ...body, id }),
    response_id: null,
  };
}

const call = (callId: string, args = '{}') => item('function_call', { call_id: callId, name: 'lookup', arguments: args, status: 'completed' });
const output = (callId: string, out: unknown) => item('function_call_output', { call_id: callId, output: out, status: 'completed' });
const toolCall = (id: string, args = '{}') => ({ id, type: 'function', function: { name: 'lookup', arguments: args } });

/** The history of rows given in the order they were added (messages and items interleaved). */
function history(rows: Array<MessageRow | ConversationItemRow>) {
  const messages = rows.filter((r): r is MessageRow => 'role' in r);
  const items = rows.filter((r): r is ConversationItemRow => 'item' in r);
  return historyMessages(threadEntries(messages, items));
}

function run(truncation: unknown): RunRow {
  return { id: 'run_now', instructions: 'Be brief.', truncation_strategy: JSON.stringify(truncation) } as RunRow;
}

describe('thread history', () => {
  it('should send system and developer messages as system messages, in their place', () => {
    const rows = [message('m1', 'developer', 'Speak French.'), message('m2', 'user', 'Hi'), message('m3', 'system', 'Be terse.'), message('m4', 'assistant', 'Salut')];
    assert.deepEqual(history(rows), [
      { role: 'system', content: 'Speak French.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Be terse.' },
      { role: 'assistant', content: 'Salut' },
    ]);
  });

  it('should merge messages and items by seq: consecutive calls are one assistant message, joined to the text before them', () => {
    const rows = [
      message('m1', 'user', 'Weather?'),
      message('m2', 'assistant', 'Checking.'),
      call('c1', '{"city":"Paris"}'),
      call('c2', '{"city":"Rome"}'),
      output('c1', '18C'),
      output('c2', [{ type: 'input_text', text: '21' }, { type: 'input_image', image_url: 'https://x/y.png' }, { type: 'input_text', text: 'C' }]),
      message('m3', 'assistant', 'Paris 18C, Rome 21C.'),
    ];
    assert.deepEqual(history(rows), [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Checking.', tool_calls: [toolCall('c1', '{"city":"Paris"}'), toolCall('c2', '{"city":"Rome"}')] },
      { role: 'tool', tool_call_id: 'c1', content: '18C' },
      { role: 'tool', tool_call_id: 'c2', content: '21C' },
      { role: 'assistant', content: 'Paris 18C, Rome 21C.' },
    ]);
  });

  it('should open a new assistant message for calls after a user message or a tool result', () => {
    const rows = [message('m1', 'user', 'Go'), call('c1'), output('c1', 'a'), call('c2'), output('c2', 'b')];
    assert.deepEqual(history(rows), [
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: null, tool_calls: [toolCall('c1')] },
      { role: 'tool', tool_call_id: 'c1', content: 'a' },
      { role: 'assistant', content: null, tool_calls: [toolCall('c2')] },
      { role: 'tool', tool_call_id: 'c2', content: 'b' },
    ]);
  });

  it('should skip other item types (reasoning, hosted tool calls) without breaking a call from its text', () => {
    const rows = [
      message('m1', 'user', 'Go'),
      item('reasoning', { summary: [] }),
      message('m2', 'assistant', 'On it.'),
      item('web_search_call', { status: 'completed' }),
      call('c1'),
      output('c1', 'done'),
    ];
    assert.deepEqual(history(rows), [
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: 'On it.', tool_calls: [toolCall('c1')] },
      { role: 'tool', tool_call_id: 'c1', content: 'done' },
    ]);
  });

  it('should drop a result without its call and a call without its result', () => {
    const rows = [output('c0', 'orphan'), message('m1', 'user', 'Go'), call('c1'), call('c2'), output('c2', 'two'), message('m2', 'user', 'Next'), call('c3')];
    assert.deepEqual(history(rows), [
      { role: 'user', content: 'Go' },
      { role: 'assistant', content: null, tool_calls: [toolCall('c2')] },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
      { role: 'user', content: 'Next' },
    ]);
  });
});

describe('buildPrompt over a history with items', () => {
  const rows = () => [message('m1', 'user', 'Go'), call('c1'), call('c2'), output('c1', 'one'), output('c2', 'two'), message('m2', 'user', 'And?')];
  const parts = (list: Array<MessageRow | ConversationItemRow>) => ({
    messages: list.filter((r): r is MessageRow => 'role' in r),
    items: list.filter((r): r is ConversationItemRow => 'item' in r),
  });

  it('should count items for last_messages, and never lead with a result whose call was cut', () => {
    // The last 4 items: c2, c1's output, c2's output, m2 — c1's output has lost its call.
    const prompt = buildPrompt({ run: run({ type: 'last_messages', last_messages: 4 }), ...parts(rows()), steps: [] });
    assert.deepEqual(prompt, [
      { role: 'system', content: 'Be brief.' },
      { role: 'assistant', content: null, tool_calls: [toolCall('c2')] },
      { role: 'tool', tool_call_id: 'c2', content: 'two' },
      { role: 'user', content: 'And?' },
    ]);
    const cut = buildPrompt({ run: run({ type: 'last_messages', last_messages: 2 }), ...parts(rows()), steps: [] });
    assert.deepEqual(cut, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'And?' }]);
  });

  it('should drop the calls with their results when auto truncation fits the prompt', () => {
    // One token a character: the system message takes 18, 'And?' 3 + 4 + 4 = 11, the reply 3; the calls do not fit.
    const prompt = buildPrompt({
      run: run({ type: 'auto' }),
      ...parts(rows()),
      steps: [],
      fit: { maxPromptTokens: 3 + 18 + 11 + 10, countTokens: (t) => t.length },
    });
    assert.deepEqual(prompt, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'And?' }]);
  });

  it("should leave out the current run's messages (its steps replay them)", () => {
    const list = [message('m1', 'user', 'Go'), message('m2', 'assistant', 'mine', 'run_now')];
    const prompt = buildPrompt({ run: run({ type: 'auto' }), ...parts(list), steps: [] });
    assert.deepEqual(prompt, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Go' }]);
  });
});
