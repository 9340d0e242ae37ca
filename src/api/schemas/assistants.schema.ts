import { z } from 'zod';
import {
  metadataSchema,
  opt,
  reasoningEffortSchema,
  responseFormatSchema,
  createToolResourcesSchema,
  updateToolResourcesSchema,
  toolsSchema,
} from './common.schema.js';

/** CreateAssistantRequest's fields but `model`; ModifyAssistantRequest's are the same (without inline vector stores). */
function assistantFields(toolResources: typeof createToolResourcesSchema | typeof updateToolResourcesSchema) {
  return {
    name: opt(z.string().max(256)),
    description: opt(z.string().max(512)),
    instructions: opt(z.string().max(256_000)),
    reasoning_effort: opt(reasoningEffortSchema),
    tools: toolsSchema,
    tool_resources: opt(toolResources),
    metadata: opt(metadataSchema),
    temperature: opt(z.number().min(0).max(2)),
    top_p: opt(z.number().min(0).max(1)),
    response_format: opt(responseFormatSchema),
  };
}

/** POST /assistants (CreateAssistantRequest). */
export const createAssistantSchema = z.object({
  model: z.string().min(1),
  ...assistantFields(createToolResourcesSchema),
});

/** POST /assistants/{assistant_id} (ModifyAssistantRequest): every field optional; `null` clears a nullable one. */
export const updateAssistantSchema = z.object({
  model: z.string().min(1).optional(),
  ...assistantFields(updateToolResourcesSchema),
});

export type CreateAssistantParams = z.output<typeof createAssistantSchema>;
export type UpdateAssistantParams = z.output<typeof updateAssistantSchema>;
