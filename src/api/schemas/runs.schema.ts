import { z } from 'zod';
import {
  createToolResourcesSchema,
  metadataSchema,
  opt,
  reasoningEffortSchema,
  responseFormatSchema,
  toolsSchema,
} from './common.schema.js';
import { createMessageSchema } from './messages.schema.js';

const tokenLimit = opt(z.int({ error: 'integer' }).min(256, 'integer'));

const toolChoiceSchema = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
      z.object({ type: z.literal('file_search') }),
      z.object({ type: z.literal('code_interpreter') }),
    ]),
  ],
  { error: "one of 'none', 'auto', 'required' or an object" },
);

const truncationSchema = z.object({
  type: z.enum(['auto', 'last_messages']),
  last_messages: opt(z.int({ error: 'integer' }).min(1, 'integer')),
});

/** The run options shared by create run and create thread-and-run. */
const runOptions = {
  assistant_id: z.string().min(1),
  model: opt(z.string().min(1)),
  instructions: opt(z.string().max(256_000)),
  tools: toolsSchema.optional(),
  metadata: opt(metadataSchema),
  temperature: opt(z.number().min(0).max(2)),
  top_p: opt(z.number().min(0).max(1)),
  stream: opt(z.boolean()),
  max_prompt_tokens: tokenLimit,
  max_completion_tokens: tokenLimit,
  truncation_strategy: opt(truncationSchema),
  tool_choice: opt(toolChoiceSchema),
  parallel_tool_calls: opt(z.boolean()),
  response_format: opt(responseFormatSchema),
  reasoning_effort: opt(reasoningEffortSchema),
};

export const createRunSchema = z.object({
  ...runOptions,
  additional_instructions: opt(z.string().max(256_000)),
  additional_messages: opt(z.array(createMessageSchema)),
});

export const createThreadAndRunSchema = z.object({
  ...runOptions,
  thread: opt(
    z.object({
      messages: opt(z.array(createMessageSchema)),
      tool_resources: opt(createToolResourcesSchema),
      metadata: opt(metadataSchema),
    }),
  ),
  tool_resources: opt(createToolResourcesSchema),
});

export const submitToolOutputsSchema = z.object({
  tool_outputs: z.array(z.object({ tool_call_id: z.string().min(1), output: z.string().default('') })),
  stream: opt(z.boolean()),
});

export const updateRunSchema = z.object({ metadata: opt(metadataSchema) });

export type CreateRunParams = z.output<typeof createRunSchema>;
export type CreateThreadAndRunParams = z.output<typeof createThreadAndRunSchema>;
export type SubmitToolOutputsParams = z.output<typeof submitToolOutputsSchema>;
