/**
 * `tools` and `tool_choice` of `POST /v1/responses` (spec: `Tool`, `ToolChoiceParam`). Responses tools are flat
 * (`{type:"function", name, parameters}`, not Chat's `{type, function:{…}}`). The tools Switchboard runs or hands to
 * the client (function, file_search, code_interpreter) are checked as OpenAI checks them; the hosted tools it cannot
 * run (web_search, image_generation, computer_use_preview, mcp, local_shell, custom…) are accepted as they come, so a
 * client that lists them is not refused. Objects are loose: unknown members pass.
 */
import { z } from 'zod';
import { hybridSearchSchema } from './ranking-options.schema.js';
import { DECIMAL, INTEGER, NAME_PATTERN } from './zod-to-api-error.js';

export const opt = <T extends z.ZodType>(schema: T) => schema.nullish();
export const intRange = (min: number, max?: number) => {
  const s = z.number({ error: INTEGER }).refine(Number.isInteger, { error: INTEGER, abort: true }).min(min, INTEGER);
  return max === undefined ? s : s.max(max, INTEGER);
};
export const decimalRange = (min: number, max: number) => z.number().min(min, DECIMAL).max(max, DECIMAL);
export const anyObject = z.looseObject({});
export const name64 = z.string().min(1).max(64).regex(NAME_PATTERN);

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: name64,
  description: opt(z.string()),
  parameters: opt(anyObject),
  strict: opt(z.boolean()),
});

const fileSearchTool = z.looseObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(z.string()),
  max_num_results: opt(intRange(1, 50)),
  filters: opt(anyObject),
  ranking_options: opt(
    z.looseObject({
      ranker: opt(z.enum(['auto', 'default-2024-11-15'])),
      score_threshold: opt(decimalRange(0, 1)),
      hybrid_search: opt(hybridSearchSchema),
    }),
  ),
});

const codeInterpreterTool = z.looseObject({
  type: z.literal('code_interpreter'),
  container: z.union(
    [z.string(), z.looseObject({ type: z.literal('auto'), file_ids: opt(z.array(z.string())) })],
    { error: 'one of a string or object' },
  ),
});

/** Hosted tools OpenAI runs and Switchboard cannot: accepted, never offered to the model (issue 12 item 1). */
export const HOSTED_TOOL_TYPES = [
  'web_search',
  'web_search_2025_08_26',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'image_generation',
  'computer',
  'computer_use',
  'computer_use_preview',
  'mcp',
  'local_shell',
  'shell',
  'custom',
  'apply_patch',
  'namespace',
  'tool_search',
  'programmatic_tool_calling',
] as const;

const hostedTools = HOSTED_TOOL_TYPES.map((type) => z.looseObject({ type: z.literal(type) }));

export const toolsSchema = z.array(
  z.discriminatedUnion('type', [functionTool, fileSearchTool, codeInterpreterTool, ...hostedTools]),
);

const named = (type: 'function' | 'custom') => z.looseObject({ type: z.literal(type), name: z.string() });
const hostedChoices = [
  'file_search',
  'code_interpreter',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'computer',
  'computer_use',
  'computer_use_preview',
  'image_generation',
  'apply_patch',
  'shell',
  'programmatic_tool_calling',
] as const;

export const toolChoiceSchema = z.union(
  [
    z.enum(['none', 'auto', 'required']),
    z.discriminatedUnion('type', [
      named('function'),
      named('custom'),
      z.looseObject({ type: z.literal('mcp'), server_label: z.string(), name: opt(z.string()) }),
      z.looseObject({
        type: z.literal('allowed_tools'),
        mode: z.enum(['auto', 'required']),
        tools: z.array(anyObject),
      }),
      ...hostedChoices.map((type) => z.looseObject({ type: z.literal(type) })),
    ]),
  ],
  { error: "one of an object or 'none', 'auto', or 'required'" },
);
