import type { MessageContent } from 'openai/resources/beta/threads/messages';
import type { CreateThreadAndRunParams } from './runs.service.js';
import type { FunctionToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { Deps } from '../deps.js';
import { invalidRequest } from '../errors.js';
import type { Db } from '../store/database.js';
import { toJson } from '../store/json.js';
import { insertRunMessage } from '../store/repos/run-messages.repo.js';
import { insertRunStep } from '../store/repos/run-steps.repo.js';
import { nextSeq } from '../store/seq.js';
import type { RunRow } from '../store/tables/runs.table.js';

/**
 * A Chat Completions conversation as the one-call assistant chat runs it: system and developer
 * messages join the assistant's instructions; the messages up to the first tool call open the
 * thread; from there on (tool calls and their results have no thread message), the rest is
 * written as steps of the run itself, which the engine replays in order — so the model sees the
 * whole conversation, tool calls and tool results included.
 */

export type ThreadMessage = NonNullable<NonNullable<CreateThreadAndRunParams['thread']>['messages']>[number];

/** A message or a round of tool calls (with every result) the run starts with. */
export type PriorStep =
  | { type: 'message'; role: 'user' | 'assistant'; content: MessageContent[] }
  | { type: 'tool_calls'; calls: Array<{ id: string; name: string; arguments: string }>; outputs: Map<string, string>; at: number };

export interface ChatConversation {
  system: string[];
  thread: ThreadMessage[];
  prior: PriorStep[];
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: unknown;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p: { type?: string; text?: unknown }) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
}

function toThreadMessage(m: ChatMessage): ThreadMessage | null {
  if (m.role === 'assistant') return { role: 'assistant', content: textOf(m.content) || ' ' };
  if (m.role !== 'user') return null;
  if (typeof m.content === 'string') return { role: 'user', content: m.content };
  if (!Array.isArray(m.content)) return null;
  type Part = Exclude<ThreadMessage['content'], string>[number];
  const parts: Part[] = [];
  for (const p of m.content as Array<{ type?: string; text?: string; image_url?: { url: string; detail?: 'auto' | 'low' | 'high' } }>) {
    if (p?.type === 'text' && typeof p.text === 'string') parts.push({ type: 'text', text: p.text });
    else if (p?.type === 'image_url' && p.image_url) parts.push({ type: 'image_url', image_url: p.image_url });
  }
  return parts.length ? { role: 'user', content: parts } : null;
}

function toContent(m: ThreadMessage): MessageContent[] {
  const text = (value: string): MessageContent => ({ type: 'text', text: { value, annotations: [] } });
  if (typeof m.content === 'string') return [text(m.content)];
  return m.content.flatMap((p): MessageContent[] =>
    p.type === 'text' ? [text(p.text)] : p.type === 'image_url' ? [{ type: 'image_url', image_url: p.image_url }] : [],
  );
}

function toolCalls(value: unknown): Array<{ id: string; name: string; arguments: string }> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((c: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }) =>
    typeof c?.id === 'string' && typeof c.function?.name === 'string'
      ? [{ id: c.id, name: c.function.name, arguments: typeof c.function.arguments === 'string' ? c.function.arguments : '{}' }]
      : [],
  );
}

/** OpenAI's 400 for a call left without its result. */
function assertAnswered(round: PriorStep | undefined): void {
  if (round?.type !== 'tool_calls') return;
  const missing = round.calls.filter((c) => !round.outputs.has(c.id)).map((c) => c.id);
  if (missing.length)
    throw invalidRequest(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(', ')}`,
      `messages.[${round.at}].role`,
    );
}

export function splitConversation(messages: unknown): ChatConversation {
  if (!Array.isArray(messages) || messages.length === 0)
    throw invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  const out: ChatConversation = { system: [], thread: [], prior: [] };
  let round: PriorStep | undefined;
  (messages as ChatMessage[]).forEach((m, i) => {
    if (m?.role === 'system' || m?.role === 'developer') return void out.system.push(textOf(m.content));
    if (m?.role === 'tool') {
      const id = typeof m.tool_call_id === 'string' ? m.tool_call_id : '';
      if (round?.type !== 'tool_calls' || !round.calls.some((c) => c.id === id))
        throw invalidRequest(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
        );
      round.outputs.set(id, textOf(m.content));
      return;
    }
    assertAnswered(round);
    round = undefined;
    const calls = m?.role === 'assistant' ? toolCalls(m.tool_calls) : [];
    const converted = toThreadMessage(m ?? {});
    // A call's message with no text has no message of its own, only its round of calls.
    const text = calls.length && textOf(m.content) === '' ? null : converted;
    if (text && (calls.length || out.prior.length)) out.prior.push({ type: 'message', role: text.role, content: toContent(text) });
    else if (text) out.thread.push(text);
    if (calls.length) out.prior.push((round = { type: 'tool_calls', calls, outputs: new Map(), at: i }));
  });
  assertAnswered(round);
  if (out.thread.length === 0 && out.prior.length === 0) throw invalidRequest('At least one user message is required.', 'messages');
  return out;
}

/** Writes the conversation's later part as the run's first steps (inside the run's transaction). */
export async function writePriorSteps(deps: Pick<Deps, 'clock' | 'ids'>, trx: Db, run: RunRow, prior: PriorStep[]): Promise<void> {
  for (const item of prior) {
    const nowMs = deps.clock.now();
    const nowS = Math.floor(nowMs / 1000);
    const step = {
      tenant_id: run.tenant_id,
      run_id: run.id,
      thread_id: run.thread_id,
      assistant_id: run.assistant_id,
      created_at: nowS,
      status: 'completed' as const,
      last_error: null,
      usage: null,
      metadata: null,
      expired_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: nowS,
    };
    if (item.type === 'tool_calls') {
      const calls = item.calls.map(
        (c): FunctionToolCall => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments, output: item.outputs.get(c.id) ?? null } }),
      );
      await insertRunStep(trx, {
        ...step,
        id: deps.ids('step'),
        seq: nextSeq(nowMs),
        type: 'tool_calls',
        step_details: toJson({ type: 'tool_calls', tool_calls: calls }),
        tool_outputs: toJson(Object.fromEntries(item.outputs)),
      });
      continue;
    }
    const message = await insertRunMessage(trx, {
      id: deps.ids('msg'),
      tenant_id: run.tenant_id,
      thread_id: run.thread_id,
      seq: nextSeq(nowMs),
      created_at: nowS,
      role: item.role,
      content: toJson(item.content),
      attachments: '[]',
      metadata: '{}',
      assistant_id: item.role === 'assistant' ? run.assistant_id : null,
      run_id: run.id,
      status: 'completed',
      incomplete_details: null,
      completed_at: nowS,
      incomplete_at: null,
    });
    await insertRunStep(trx, {
      ...step,
      id: deps.ids('step'),
      seq: nextSeq(nowMs),
      type: 'message_creation',
      step_details: toJson({ type: 'message_creation', message_creation: { message_id: message.id } }),
      tool_outputs: null,
    });
  }
}
