import type { Assistant, AssistantDeleted, AssistantTool } from 'openai/resources/beta/assistants';
import type { AssistantResponseFormatOption, Thread, ThreadDeleted } from 'openai/resources/beta/threads/threads';
import type { Message, MessageContent, MessageDeleted } from 'openai/resources/beta/threads/messages';
import { fromJson } from './json.js';
import type { AssistantRow } from './tables/assistants.table.js';
import type { ThreadRow } from './tables/threads.table.js';
import type { MessageRow } from './tables/messages.table.js';

/** Row → wire object: JSON columns parsed, unix seconds, every field present (null rather than absent). */

export function toAssistantObject(row: AssistantRow): Assistant {
  return {
    id: row.id,
    object: 'assistant',
    created_at: Number(row.created_at),
    name: row.name,
    description: row.description,
    model: row.model,
    instructions: row.instructions,
    tools: fromJson<AssistantTool[]>(row.tools, []),
    tool_resources: fromJson<Assistant.ToolResources>(row.tool_resources, {}),
    metadata: fromJson<Record<string, string>>(row.metadata, {}),
    temperature: row.temperature,
    top_p: row.top_p,
    response_format: fromJson<AssistantResponseFormatOption>(row.response_format, 'auto'),
  };
}

export function toThreadObject(row: ThreadRow): Thread {
  return {
    id: row.id,
    object: 'thread',
    created_at: Number(row.created_at),
    metadata: fromJson<Record<string, string>>(row.metadata, {}),
    tool_resources: fromJson<Thread.ToolResources>(row.tool_resources, {}),
  };
}

export function toMessageObject(row: MessageRow): Message {
  return {
    id: row.id,
    object: 'thread.message',
    created_at: Number(row.created_at),
    thread_id: row.thread_id,
    status: row.status,
    incomplete_details: fromJson<Message.IncompleteDetails | null>(row.incomplete_details, null),
    completed_at: row.completed_at === null ? null : Number(row.completed_at),
    incomplete_at: row.incomplete_at === null ? null : Number(row.incomplete_at),
    // Only user and assistant messages reach the Assistants API (messages.repo filters the others out).
    role: row.role === 'assistant' ? 'assistant' : 'user',
    content: widenContent(fromJson<unknown>(row.content, [])),
    // A response's answer (assistant_id '': its run is no Assistants run) shows with neither.
    assistant_id: row.assistant_id || null,
    run_id: row.assistant_id === '' ? null : row.run_id,
    attachments: fromJson<Message.Attachment[]>(row.attachments, []),
    metadata: fromJson<Record<string, string>>(row.metadata, {}),
  };
}

/** Stored content is MessageContent[]; a bare string or `{type:'text', text: string}` part is widened to it. */
function widenContent(content: unknown): MessageContent[] {
  const text = (value: string): MessageContent => ({ type: 'text', text: { value, annotations: [] } });
  if (typeof content === 'string') return [text(content)];
  if (!Array.isArray(content)) return [];
  return content.map((part: MessageContent | { type: 'text'; text: string }) =>
    part.type === 'text' && typeof part.text === 'string' ? text(part.text) : (part as MessageContent),
  );
}

export const toAssistantDeleted = (id: string): AssistantDeleted => ({ id, object: 'assistant.deleted', deleted: true });
export const toThreadDeleted = (id: string): ThreadDeleted => ({ id, object: 'thread.deleted', deleted: true });
export const toMessageDeleted = (id: string): MessageDeleted => ({ id, object: 'thread.message.deleted', deleted: true });
