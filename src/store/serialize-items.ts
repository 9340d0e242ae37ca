import type { Annotation, MessageContent } from 'openai/resources/beta/threads/messages';
import type { Conversation, ConversationDeletedResource, Message } from 'openai/resources/conversations/conversations';
import type { ConversationItem } from 'openai/resources/conversations/items';
import type { ResponseIncludable, ResponseOutputText } from 'openai/resources/responses/responses';
import { cutCitations } from './citation-cutter.js';
import { fromJson } from './json.js';
import type { ConversationItemRow } from './tables/conversation-items.table.js';
import type { MessageRow } from './tables/messages.table.js';
import type { ThreadRow } from './tables/threads.table.js';

/** Row → Conversations API wire object. A conversation is a thread; its message items are the thread's messages. */

export function toConversationObject(row: ThreadRow): Conversation {
  return {
    id: row.id,
    object: 'conversation',
    created_at: Number(row.created_at),
    metadata: fromJson<Record<string, string>>(row.metadata, {}),
  };
}

export const toConversationDeleted = (id: string): ConversationDeletedResource => ({
  id,
  object: 'conversation.deleted',
  deleted: true,
});

export type MessagePart = Message['content'][number];
/** A listed item: every stored item has an id (some SDK item types leave it optional). */
export type ListedItem = ConversationItem & { id: string };

/** What serializing an item needs beyond its row: cited files' names and the request's `include`. */
export interface ItemContext {
  fileNames: ReadonlyMap<string, string>;
  include: ReadonlySet<ResponseIncludable>;
}

/**
 * Assistants annotations → Responses ones, `place` being where the annotation stands in the marker-free text: a cited
 * file → file_citation, a file code_interpreter wrote → container_file_citation.
 */
function toOutputAnnotation(
  a: Annotation,
  place: { start: number; end: number },
  row: MessageRow,
  ctx: ItemContext,
): ResponseOutputText['annotations'][number] {
  if (a.type === 'file_citation') {
    const fileId = a.file_citation.file_id;
    return { type: 'file_citation', file_id: fileId, filename: ctx.fileNames.get(fileId) ?? '', index: place.start };
  }
  const fileId = a.file_path.file_id;
  // Switchboard's code_interpreter session belongs to the thread: the thread is the container.
  return {
    type: 'container_file_citation',
    container_id: row.thread_id,
    file_id: fileId,
    filename: ctx.fileNames.get(fileId) ?? '',
    start_index: place.start,
    end_index: place.end,
  };
}

/** An assistant's text as Responses shows it: without the citation markers the Assistants text keeps (citation-cutter.ts). */
function toOutputText(text: { value: string; annotations: Annotation[] }, row: MessageRow, ctx: ItemContext): ResponseOutputText {
  const spans = text.annotations.map((a) => ({ start: a.start_index, end: a.end_index, cut: a.type === 'file_citation' }));
  const { value, places } = cutCitations(text.value, spans);
  return { type: 'output_text', text: value, annotations: text.annotations.map((a, i) => toOutputAnnotation(a, places[i]!, row, ctx)), logprobs: [] };
}

/** One part of an Assistants message's content as a Responses content part. */
function fromAssistantsPart(part: MessageContent, row: MessageRow, ctx: ItemContext): MessagePart | undefined {
  switch (part.type) {
    case 'text':
      if (row.role !== 'assistant') return { type: 'input_text', text: part.text.value };
      return toOutputText(part.text, row, ctx);
    case 'image_file':
      return { type: 'input_image', file_id: part.image_file.file_id, image_url: null, detail: part.image_file.detail ?? 'auto' };
    case 'image_url':
      return { type: 'input_image', file_id: null, image_url: part.image_url.url, detail: part.image_url.detail ?? 'auto' };
    case 'refusal':
      return { type: 'refusal', refusal: part.refusal };
    default:
      return undefined;
  }
}

/** The file ids a message's annotations cite: what ItemContext.fileNames must hold to name them. */
export function citedFileIds(row: MessageRow): string[] {
  if (row.role !== 'assistant' || row.item_content) return [];
  return fromJson<MessageContent[]>(row.content, []).flatMap((part) =>
    part.type === 'text'
      ? part.text.annotations.map((a) => (a.type === 'file_citation' ? a.file_citation.file_id : a.file_path.file_id))
      : [],
  );
}

/** The include value that shows input images' URLs; without it OpenAI lists an `input_image` with `image_url: null`. */
export const INPUT_IMAGE_URL: ResponseIncludable = 'message.input_image.image_url';

/**
 * A thread message as a `message` item: the parts given through Conversations when kept, else the Assistants content
 * mapped; an input image's URL only when `include` asks for it.
 */
export function toMessageItem(row: MessageRow, ctx: ItemContext): Message {
  const content = row.item_content
    ? fromJson<MessagePart[]>(row.item_content, [])
    : fromJson<MessageContent[]>(row.content, []).flatMap((p) => fromAssistantsPart(p, row, ctx) ?? []);
  const shown = ctx.include.has(INPUT_IMAGE_URL) ? content : content.map(withoutImageUrl);
  return { id: row.id, type: 'message', status: row.status, role: row.role, content: shown };
}

const withoutImageUrl = (part: MessagePart): MessagePart =>
  part.type === 'input_image' && part.image_url != null ? { ...part, image_url: null } : part;

/** A stored non-message item; results and outputs of tool calls only when `include` asks for them, as OpenAI does. */
export function toStoredItem(row: ConversationItemRow, ctx: ItemContext): ListedItem {
  const item: ListedItem = { ...fromJson<ConversationItem>(row.item, { id: row.id, type: 'reasoning', summary: [] }), id: row.id };
  if (item.type === 'file_search_call' && !ctx.include.has('file_search_call.results')) return { ...item, results: null };
  if (item.type === 'code_interpreter_call' && !ctx.include.has('code_interpreter_call.outputs')) return { ...item, outputs: null };
  return item;
}
