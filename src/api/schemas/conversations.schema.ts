/**
 * Conversations API request bodies: CreateConversationBody, UpdateConversationBody and the items of
 * POST /conversations/{id}/items (InputItem). Messages, function calls and their outputs and item references are
 * checked field by field; the other item types OpenAI takes are checked by `type` and kept as given.
 */
import { z } from 'zod';
import { OTHER_ITEM_TYPES } from '../../services/conversation-items-input.js';
import { metadataSchema, opt } from './common.schema.js';
import { INCLUDABLE } from './responses.schema.js';

const detail = z.enum(['low', 'high', 'auto', 'original']);
const itemStatus = z.enum(['in_progress', 'completed', 'incomplete']);

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.object({
  type: z.literal('input_image'),
  detail: detail.default('auto'),
  file_id: opt(z.string()),
  image_url: opt(z.string()),
});
const inputFile = z.object({
  type: z.literal('input_file'),
  file_id: opt(z.string()),
  file_data: z.string().optional(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
});
const annotation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file_citation'), file_id: z.string(), filename: z.string(), index: z.int() }),
  z.object({ type: z.literal('url_citation'), url: z.string(), title: z.string(), start_index: z.int(), end_index: z.int() }),
  z.object({
    type: z.literal('container_file_citation'),
    container_id: z.string(),
    file_id: z.string(),
    filename: z.string(),
    start_index: z.int(),
    end_index: z.int(),
  }),
  z.object({ type: z.literal('file_path'), file_id: z.string(), index: z.int() }),
]);
const outputText = z.object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(annotation).default([]) });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

const messageItem = z.object({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union(
    [z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile, outputText, refusal]))],
    { error: 'one of a string or array of objects' },
  ),
  status: itemStatus.optional(),
});
const functionCall = z.object({
  type: z.literal('function_call'),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: itemStatus.optional(),
});
const functionCallOutput = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string(),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile]))], {
    error: 'one of a string or array of objects',
  }),
  status: itemStatus.optional(),
});
const itemReference = z.object({ type: z.literal('item_reference'), id: z.string() });

const otherItem = z.looseObject({ type: z.enum(OTHER_ITEM_TYPES) });

/** An EasyInputMessage may leave out `type`: a body with a `role` and no `type` is a message. */
const withMessageType = (value: unknown): unknown =>
  typeof value === 'object' && value !== null && !('type' in value) && 'role' in value ? { ...value, type: 'message' } : value;

export const inputItemSchema = z.preprocess(
  withMessageType,
  z.discriminatedUnion('type', [messageItem, functionCall, functionCallOutput, itemReference, otherItem]),
);
const items = z.array(inputItemSchema).max(20);

/** CreateConversationBody: up to 20 initial items and metadata. */
export const createConversationSchema = z.object({ items: opt(items), metadata: opt(metadataSchema) });
/** UpdateConversationBody: metadata (required; null empties it). */
export const updateConversationSchema = z.object({ metadata: metadataSchema.nullable() });
/** The body of POST /conversations/{id}/items. */
export const createItemsSchema = z.object({ items });

const includeValue = z.enum(INCLUDABLE);
/** `include` of the item routes' query, once gathered by includeQueryInput(). */
export const includeQuerySchema = z.object({ include: z.array(includeValue) }).transform((q) => q.include);

/** The SDK sends `include[]=…` (qs brackets); `include=…` works too, once or repeated. */
export function includeQueryInput(query: unknown): { include: unknown[] } {
  const q = (query ?? {}) as Record<string, unknown>;
  return { include: [q.include ?? [], q['include[]'] ?? []].flat() };
}

export type InputItemParams = z.output<typeof inputItemSchema>;
