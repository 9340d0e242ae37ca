/**
 * A request's `input` → the input items as `GET /v1/responses/{id}/input_items` lists them (pure): a string is one
 * user message with one `input_text`; every message gets an id (`msg_…`, or the one it came with) and
 * `status: "completed"`, its string content becomes one text part and an image part gets its `detail`; function
 * calls and their outputs get ids and a status; `item_reference`s stay references for the service to resolve from
 * the tenant's stored items (one sent without `type` gets it); output items of earlier responses stay as they came.
 */
import type {
  EasyInputMessage,
  ResponseFunctionCallOutputItem,
  ResponseFunctionToolCall,
  ResponseFunctionToolCallItem,
  ResponseFunctionToolCallOutputItem,
  ResponseInputContent,
  ResponseInputImage,
  ResponseInputItem,
  ResponseInputMessageItem,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
} from 'openai/resources/responses/responses';

/** Prefixes of the ids given to items that came without one. */
export type InputItemIdPrefix = 'msg' | 'fc';

/** The SDK's input image requires `detail`; requests leave it out, and OpenAI then reads `auto`. */
export type InputImageParam = Omit<ResponseInputImage, 'detail'> & { detail?: ResponseInputImage['detail'] | null };
export type InputContentParam = Exclude<ResponseInputContent, ResponseInputImage> | InputImageParam;
type MessageInput =
  | (Omit<EasyInputMessage, 'content'> & { content: string | InputContentParam[] })
  | (Omit<ResponseInputItem.Message, 'content'> & { content: InputContentParam[] })
  | ResponseOutputMessage;
type PassedBack = Exclude<
  ResponseInputItem,
  EasyInputMessage | ResponseInputItem.Message | ResponseOutputMessage | ResponseFunctionToolCall | ResponseInputItem.FunctionCallOutput
>;

/** One item of a request's `input`: the SDK's `ResponseInputItem`, with image parts' `detail` optional. */
export type InputItemParam = MessageInput | ResponseFunctionToolCall | ResponseInputItem.FunctionCallOutput | PassedBack;
/** A request's `input`. */
export type RequestInput = string | InputItemParam[];

/** One listed input item: a message, a function call or its output with ids, a reference, or an item as it came. */
export type InputItemResource =
  | ResponseInputMessageItem
  | ResponseOutputMessage
  | ResponseFunctionToolCallItem
  | ResponseFunctionToolCallOutputItem
  | PassedBack;

export function toInputItems(
  input: RequestInput,
  newId: (prefix: InputItemIdPrefix) => string,
): InputItemResource[] {
  if (typeof input === 'string') return [userMessage(input, newId('msg'))];
  return input.map((item) => toInputItem(item, newId));
}

function toInputItem(item: InputItemParam, newId: (prefix: InputItemIdPrefix) => string): InputItemResource {
  if (isMessage(item)) return toMessageItem(item, idOf(item) ?? newId('msg'));
  if (item.type == null) return { ...item, type: 'item_reference' };
  if (item.type === 'function_call') {
    return { ...item, id: item.id ?? newId('fc'), status: item.status ?? 'completed' };
  }
  if (item.type === 'function_call_output') {
    const output = typeof item.output === 'string' ? item.output : item.output.map(toolOutputPart);
    return { ...item, output, id: item.id ?? newId('fc'), status: item.status ?? 'completed' };
  }
  return item;
}

/** A message is told by its role: an item reference may come without `type` as well. */
const isMessage = (item: InputItemParam): item is MessageInput => 'role' in item && item.role !== undefined;

const idOf = (item: MessageInput): string | undefined => ('id' in item && typeof item.id === 'string' ? item.id : undefined);

const userMessage = (text: string, id: string): ResponseInputMessageItem => ({
  id,
  type: 'message',
  role: 'user',
  status: 'completed',
  content: [{ type: 'input_text', text }],
});

function toMessageItem(item: MessageInput, id: string): ResponseInputMessageItem | ResponseOutputMessage {
  if (item.role === 'assistant') {
    const content = typeof item.content === 'string' ? [outputText(item.content)] : item.content.flatMap(assistantPart);
    const phase = 'phase' in item && item.phase != null ? { phase: item.phase } : {};
    return { id, type: 'message', role: 'assistant', status: 'completed', content, ...phase };
  }
  const content = typeof item.content === 'string' ? [textPart(item.content)] : item.content.map(inputPart);
  return { id, type: 'message', role: item.role, status: 'completed', content };
}

const textPart = (text: string): ResponseInputContent => ({ type: 'input_text', text });
const outputText = (text: string): ResponseOutputText => ({ type: 'output_text', text, annotations: [] });

function inputPart(part: InputContentParam): ResponseInputContent {
  return part.type === 'input_image' ? { ...part, detail: part.detail ?? 'auto' } : part;
}

/** A function output's part as the output item types it (the request's part types allow nulls the item's do not). */
function toolOutputPart(part: ResponseFunctionCallOutputItem): ResponseInputContent {
  if (part.type === 'input_text') return { type: 'input_text', text: part.text };
  if (part.type === 'input_image') {
    return { type: 'input_image', detail: part.detail ?? 'auto', file_id: part.file_id ?? null, image_url: part.image_url ?? null };
  }
  const { file_data, file_url, filename } = part;
  return {
    type: 'input_file',
    file_id: part.file_id ?? null,
    ...(file_data != null && { file_data }),
    ...(file_url != null && { file_url }),
    ...(filename != null && { filename }),
  };
}

/** An assistant turn's part as listed; `output_text` always carries its (possibly empty) annotations. */
function assistantPart(
  part: InputContentParam | ResponseOutputText | ResponseOutputRefusal,
): (ResponseOutputText | ResponseOutputRefusal)[] {
  if (part.type === 'output_text') return [{ ...part, annotations: part.annotations ?? [] }];
  if (part.type === 'refusal') return [part];
  // input parts are refused in assistant turns by the request schema; text is kept if one ever gets here
  return part.type === 'input_text' ? [outputText(part.text)] : [];
}
