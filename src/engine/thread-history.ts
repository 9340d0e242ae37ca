import type { MessageContent } from 'openai/resources/beta/threads/messages';
import type { ModelContentPart, ModelMessage, ModelToolCall } from '../providers/chat-model.js';
import { fromJson } from '../store/json.js';
import type { ConversationItemRow } from '../store/tables/conversation-items.table.js';
import type { MessageRow } from '../store/tables/messages.table.js';

/** file id → the image as a data: URL, for image_file parts (files the engine could not read are absent). */
export type ImageUrls = ReadonlyMap<string, string>;

/** One item of a thread's history: a message (any role) or a conversation item, with its order key. */
export type HistoryEntry =
  | { kind: 'message'; seq: number; row: MessageRow }
  | { kind: 'item'; seq: number; row: ConversationItemRow };

/**
 * The item types the model is shown. Others are skipped for now: reasoning items and hosted tool calls
 * (calls of the server's own tools made through another API) — later.
 */
const SHOWN_ITEM_TYPES: ReadonlySet<string> = new Set(['function_call', 'function_call_output', 'compaction']);

/** How a compaction item (POST /v1/responses/compact's summary, passed back as input) shows to the model. */
export const COMPACTION_PREFIX = 'Summary of the earlier conversation:\n';

/** The thread's messages and its shown items, merged in seq order (the order they were added in). */
export function threadEntries(messages: readonly MessageRow[], items: readonly ConversationItemRow[] = []): HistoryEntry[] {
  const entries: HistoryEntry[] = [
    ...messages.map((row): HistoryEntry => ({ kind: 'message', seq: Number(row.seq), row })),
    ...items.filter((row) => SHOWN_ITEM_TYPES.has(row.type)).map((row): HistoryEntry => ({ kind: 'item', seq: Number(row.seq), row })),
  ];
  return entries.sort((a, b) => a.seq - b.seq);
}

function toParts(content: MessageContent[], images: ImageUrls): ModelContentPart[] {
  const parts: ModelContentPart[] = [];
  for (const c of content) {
    if (c.type === 'text') parts.push({ type: 'text', text: c.text.value });
    else if (c.type === 'image_url')
      parts.push({ type: 'image_url', image_url: { url: c.image_url.url, ...(c.image_url.detail ? { detail: c.image_url.detail } : {}) } });
    else if (c.type === 'image_file') {
      const url = images.get(c.image_file.file_id);
      if (url) parts.push({ type: 'image_url', image_url: { url, ...(c.image_file.detail ? { detail: c.image_file.detail } : {}) } });
    } else if (c.type === 'refusal') parts.push({ type: 'text', text: c.refusal });
  }
  return parts;
}

const textOf = (content: MessageContent[]): string =>
  content.map((c) => (c.type === 'text' ? c.text.value : c.type === 'refusal' ? c.refusal : '')).join('');

/** A thread message for the model: `system` and `developer` messages are system messages. */
export function toModelMessage(m: MessageRow, images: ImageUrls): ModelMessage {
  const content = fromJson<MessageContent[]>(m.content, []);
  if (m.role === 'assistant') return { role: 'assistant', content: textOf(content) };
  if (m.role === 'system' || m.role === 'developer') return { role: 'system', content: textOf(content) };
  const parts = toParts(content, images);
  const onlyText = parts.every((p) => p.type === 'text');
  return { role: 'user', content: onlyText ? parts.map((p) => (p.type === 'text' ? p.text : '')).join('') : parts };
}

interface FunctionCallItem {
  call_id: string;
  name: string;
  arguments: string;
}
interface FunctionCallOutputItem {
  call_id: string;
  output: string | Array<{ type: string; text?: string }>;
}

/** A function_call_output's output as the tool message's content: the string, or its text parts joined. */
function outputText(output: FunctionCallOutputItem['output']): string {
  if (typeof output === 'string') return output;
  return output.map((p) => (p.type === 'input_text' && typeof p.text === 'string' ? p.text : '')).join('');
}

/**
 * Drops what the model's API would reject: a tool message that does not answer a call of the assistant
 * message it follows (its call was cut off by truncation), and calls left without an answer (an assistant
 * message left with neither calls nor text goes too).
 */
function dropOrphans(messages: ModelMessage[]): ModelMessage[] {
  const answered = new Set<string>();
  let open: Set<string> | null = null;
  const kept: ModelMessage[] = [];
  for (const m of messages) {
    if (m.role === 'tool') {
      if (!open?.has(m.tool_call_id)) continue;
      open.delete(m.tool_call_id);
      answered.add(m.tool_call_id);
    } else open = m.role === 'assistant' && m.tool_calls?.length ? new Set(m.tool_calls.map((c) => c.id)) : null;
    kept.push(m);
  }
  return kept.flatMap((m): ModelMessage[] => {
    if (m.role !== 'assistant' || !m.tool_calls) return [m];
    const calls = m.tool_calls.filter((c) => answered.has(c.id));
    if (calls.length > 0) return [{ ...m, tool_calls: calls }];
    return m.content ? [{ role: 'assistant', content: m.content }] : [];
  });
}

/**
 * The thread's history as model messages, in order: messages of every role; consecutive function_call items
 * become one assistant message with tool_calls (an assistant text message directly before them is its content);
 * a function_call_output is a tool message; a compaction item is a system message with its summary. Orphaned calls and results are dropped (dropOrphans).
 */
export function historyMessages(entries: readonly HistoryEntry[], images: ImageUrls = new Map()): ModelMessage[] {
  const out: ModelMessage[] = [];
  /** The assistant message the next function_call joins: the previous entry's, when it was an assistant turn. */
  let joinable: Extract<ModelMessage, { role: 'assistant' }> | null = null;
  for (const entry of entries) {
    if (entry.kind === 'message') {
      const m = toModelMessage(entry.row, images);
      out.push(m);
      joinable = m.role === 'assistant' ? m : null;
      continue;
    }
    if (entry.row.type === 'function_call') {
      const item = fromJson<FunctionCallItem>(entry.row.item, { call_id: '', name: '', arguments: '' });
      const call: ModelToolCall = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      if (joinable) {
        joinable.tool_calls = [...(joinable.tool_calls ?? []), call];
        if (joinable.content === '') joinable.content = null;
      } else {
        joinable = { role: 'assistant', content: null, tool_calls: [call] };
        out.push(joinable);
      }
      continue;
    }
    if (entry.row.type === 'compaction') {
      const item = fromJson<{ encrypted_content?: unknown }>(entry.row.item, {});
      if (typeof item.encrypted_content === 'string') out.push({ role: 'system', content: `${COMPACTION_PREFIX}${item.encrypted_content}` });
      joinable = null;
      continue;
    }
    if (entry.row.type !== 'function_call_output') continue;
    const item = fromJson<FunctionCallOutputItem>(entry.row.item, { call_id: '', output: '' });
    out.push({ role: 'tool', tool_call_id: item.call_id, content: outputText(item.output) });
    joinable = null;
  }
  return dropOrphans(out);
}
