import type { MessageContent } from 'openai/resources/beta/threads/messages';
import type {
  EasyInputMessage,
  ResponseFunctionToolCall,
  ResponseInputFile,
  ResponseInputImage,
  ResponseInputItem,
  ResponseInputText,
  ResponseOutputRefusal,
  ResponseOutputText,
} from 'openai/resources/responses/responses';
import type { IdKind } from '../ids.js';
import type { MessagePart } from '../store/serialize-items.js';
import type { IdRef, ReferencedIds } from './referenced-ids.js';

/**
 * Conversation items as POST /conversations and /conversations/{id}/items take them (the SDK's ResponseInputItem,
 * narrowed to what Switchboard checks), and the pure conversions from them to what is stored.
 */

/** Item types stored as given (with a fresh id): tool calls of hosted tools, reasoning, compaction… */
export const OTHER_ITEM_TYPES = [
  'file_search_call',
  'code_interpreter_call',
  'reasoning',
  'web_search_call',
  'image_generation_call',
  'computer_call',
  'computer_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'compaction',
  'tool_search_call',
  'tool_search_output',
] as const;
export type OtherItemType = (typeof OTHER_ITEM_TYPES)[number];

type InputPart = ResponseInputText | ResponseInputImage | ResponseInputFile;
export interface MessageItemParams {
  type: 'message';
  role: EasyInputMessage['role'];
  content: string | Array<InputPart | ResponseOutputText | ResponseOutputRefusal>;
  status?: 'in_progress' | 'completed' | 'incomplete';
}
export type FunctionCallParams = Pick<ResponseFunctionToolCall, 'type' | 'call_id' | 'name' | 'arguments' | 'status'>;
export type FunctionCallOutputParams = Pick<ResponseInputItem.FunctionCallOutput, 'type' | 'call_id' | 'output' | 'status'>;
export interface ItemReferenceParams {
  type: 'item_reference';
  id: string;
}
export interface OtherItemParams {
  type: OtherItemType;
  [key: string]: unknown;
}
export type ConversationItemParams =
  | MessageItemParams
  | FunctionCallParams
  | FunctionCallOutputParams
  | ItemReferenceParams
  | OtherItemParams;
/** An item once its references are resolved: what is stored. */
export type ResolvedItemParams = Exclude<ConversationItemParams, ItemReferenceParams>;

/** The id prefix of each stored item type (the spec's examples); types without one get `item_`. */
const ID_KINDS: Partial<Record<ResolvedItemParams['type'], IdKind>> = {
  function_call: 'fc',
  function_call_output: 'fco',
  file_search_call: 'fs',
  code_interpreter_call: 'ci',
  reasoning: 'rs',
  web_search_call: 'ws',
  image_generation_call: 'ig',
  custom_tool_call: 'ctc',
  custom_tool_call_output: 'ctco',
};
export const idKindOf = (type: ResolvedItemParams['type']): IdKind => ID_KINDS[type] ?? 'item';

/** A message item's content as stored (and listed): a string becomes one text part; output_text gets its defaults. */
export function toItemContent(item: MessageItemParams): MessagePart[] {
  const outputText = (text: string, annotations: ResponseOutputText['annotations'] = []): MessagePart => ({
    type: 'output_text',
    text,
    annotations,
    logprobs: [],
  });
  if (typeof item.content === 'string')
    return [item.role === 'assistant' ? outputText(item.content) : { type: 'input_text', text: item.content }];
  return item.content.map((part): MessagePart => {
    if (part.type === 'output_text') return outputText(part.text, part.annotations);
    if (part.type === 'input_image') return { ...part, file_id: part.file_id ?? null, image_url: part.image_url ?? null };
    return part;
  });
}

/**
 * The same content as the Assistants API shows it: text, image_file / image_url and refusal parts. An input_file
 * has no Assistants equivalent and is left out there (it stays in the item's content).
 */
export function toAssistantsContent(parts: readonly MessagePart[]): MessageContent[] {
  return parts.flatMap((part): MessageContent[] => {
    const text = (value: string): MessageContent => ({ type: 'text', text: { value, annotations: [] } });
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        return [text(part.text)];
      case 'refusal':
        return [{ type: 'refusal', refusal: part.refusal }];
      case 'input_image': {
        const detail = part.detail === 'original' ? {} : { detail: part.detail };
        if (part.file_id) return [{ type: 'image_file', image_file: { file_id: part.file_id, ...detail } }];
        return part.image_url ? [{ type: 'image_url', image_url: { url: part.image_url, ...detail } }] : [];
      }
      default:
        return [];
    }
  });
}

/** The files the items refer to (input_image and input_file parts), each with its param (`items[0].content[1].file_id`). */
export function itemFileIds(items: readonly ConversationItemParams[], param = 'items'): ReferencedIds {
  const files: IdRef[] = [];
  const parts = (list: unknown, at: string) => {
    if (!Array.isArray(list)) return;
    list.forEach((part: { type?: string; file_id?: string | null }, j) => {
      if ((part.type === 'input_image' || part.type === 'input_file') && part.file_id)
        files.push({ id: part.file_id, param: `${at}[${j}].file_id` });
    });
  };
  items.forEach((item, i) => {
    if (item.type === 'message') parts(item.content, `${param}[${i}].content`);
    if (item.type === 'function_call_output') parts(item.output, `${param}[${i}].output`);
  });
  return { files, vectorStores: [] };
}
