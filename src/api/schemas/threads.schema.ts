import { z } from 'zod';
import { createToolResourcesSchema, metadataSchema, opt, updateToolResourcesSchema } from './common.schema.js';
import { createMessageSchema } from './messages.schema.js';

/** CreateThreadRequest: POST /threads (and the `thread` of POST /threads/runs). */
export const createThreadSchema = z.object({
  messages: opt(z.array(createMessageSchema)).transform((messages) => messages ?? undefined),
  tool_resources: opt(createToolResourcesSchema),
  metadata: opt(metadataSchema),
});

/** ModifyThreadRequest: metadata and tool_resources. */
export const updateThreadSchema = z.object({
  tool_resources: opt(updateToolResourcesSchema),
  metadata: opt(metadataSchema),
});

export type CreateThreadParams = z.output<typeof createThreadSchema>;
export type UpdateThreadParams = z.output<typeof updateThreadSchema>;
