import { z } from 'zod';
import { metadataSchema, opt } from './common.schema.js';

const detail = z.enum(['auto', 'low', 'high']).optional();

const contentPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('image_file'), image_file: z.object({ file_id: z.string(), detail }) }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string(), detail }) }),
  z.object({ type: z.literal('text'), text: z.string() }),
]);

const attachmentTool = z.discriminatedUnion('type', [
  z.object({ type: z.literal('code_interpreter') }),
  z.object({ type: z.literal('file_search') }),
]);
const attachment = z.object({ file_id: z.string(), tools: z.array(attachmentTool).optional() });

/** CreateMessageRequest: POST /threads/{thread_id}/messages, and each of CreateThreadRequest.messages. */
export const createMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentPart).min(1)], { error: 'one of a string or array of objects' }),
  attachments: opt(z.array(attachment)),
  metadata: opt(metadataSchema),
});

/** ModifyMessageRequest: only metadata can change. */
export const updateMessageSchema = z.object({ metadata: opt(metadataSchema) });

/** The query of GET /threads/{thread_id}/messages beyond the list cursor: `run_id`. */
export const listMessagesFilterSchema = z.object({ run_id: z.string().min(1).optional() });

export type CreateMessageParams = z.output<typeof createMessageSchema>;
export type UpdateMessageParams = z.output<typeof updateMessageSchema>;
