/**
 * `input` of `POST /v1/responses`: a string, or a list of items (spec: `InputParam`, `InputItem`, `Item`). An item
 * without `type` is a message (EasyInputMessage). Messages are told apart by `role`, content parts by `type`, and each
 * role takes its own parts: user / system / developer the `input_*` parts, assistant `output_text` and `refusal`.
 * Output items of earlier responses (file_search_call, code_interpreter_call, reasoning with encrypted_content,
 * web_search_call…) are accepted as they came back; the ones Switchboard reads are checked for what it reads.
 * An item with neither `type` nor `role` but an `id` is an item reference (spec: `ItemReferenceParam.type` may be
 * left out or null).
 *
 * OpenAI reports a bad item type or role at the item (`input[2]`) and a part of the wrong role at the part
 * (`input[0].content[1]`), where the value is an object, so those issues carry their whole OpenAI error
 * (`preRendered`); everything else goes through the shared zod mapper.
 */
import { z } from 'zod';
import { anyObject, opt } from './response-tools.schema.js';

type Path = readonly PropertyKey[];
/** Where the issues go: the `input` field's zod check context (paths relative to `input`). */
type Ctx = { issues: (z.core.$ZodRawIssue | z.core.$ZodIssue)[] };

/** The `params` of an issue that already holds OpenAI's message and code (param = the issue's path). */
export interface PreRendered {
  preRendered: { message: string; code: string };
}

/** Every item type OpenAI's `input` takes, in the order its "Supported values" list names them. */
export const INPUT_ITEM_TYPES = [
  'additional_tools', 'agent_message', 'apply_patch_call', 'apply_patch_call_output', 'code_interpreter_call',
  'compaction', 'compaction_trigger', 'computer_call', 'computer_call_output', 'custom_tool_call',
  'custom_tool_call_output', 'file_search_call', 'function_call', 'function_call_output', 'image_generation_call',
  'item_reference', 'local_shell_call', 'local_shell_call_output', 'mcp_approval_request', 'mcp_approval_response',
  'mcp_call', 'mcp_list_tools', 'message', 'multi_agent_call', 'multi_agent_call_output', 'program',
  'program_output', 'reasoning', 'shell_call', 'shell_call_output', 'tool_search_call', 'tool_search_output',
  'web_search_call',
] as const;

const ROLES = ['assistant', 'system', 'developer', 'user'] as const;
/** Every content part type, as OpenAI lists them when a part's `type` is unknown. */
const PART_TYPES = [
  'input_text', 'input_image', 'input_audio', 'output_text', 'refusal', 'input_file', 'computer_screenshot',
  'summary_text', 'encrypted_content',
] as const;
const INPUT_PARTS = ['input_text', 'input_image', 'input_file', 'input_audio'] as const;
const ASSISTANT_PARTS = ['output_text', 'refusal'] as const;

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: opt(z.string()),
  file_id: opt(z.string()),
  detail: opt(z.enum(['low', 'high', 'auto', 'original'])),
});
const inputFile = z.looseObject({
  type: z.literal('input_file'),
  file_id: opt(z.string()),
  file_data: opt(z.string()),
  file_url: opt(z.string()),
  filename: opt(z.string()),
});
const inputAudio = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string(), annotations: opt(z.array(anyObject)) });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

const PART_SCHEMAS: Partial<Record<string, z.ZodType>> = {
  input_text: inputText,
  input_image: inputImage,
  input_file: inputFile,
  input_audio: inputAudio,
  output_text: outputText,
  refusal,
};

const inputParts = z.array(z.discriminatedUnion('type', [inputText, inputImage, inputFile]));
const summaryText = z.looseObject({ type: z.literal('summary_text'), text: z.string() });

/** The members Switchboard reads of the items it understands; other known item types pass as they are. */
const ITEM_SCHEMAS: Partial<Record<string, z.ZodType>> = {
  function_call: z.looseObject({ call_id: z.string(), name: z.string(), arguments: z.string(), id: opt(z.string()) }),
  function_call_output: z.looseObject({
    call_id: z.string(),
    output: z.union([z.string(), inputParts], { error: 'one of a string or array of objects' }),
    id: opt(z.string()),
  }),
  item_reference: z.looseObject({ id: z.string() }),
  reasoning: z.looseObject({ summary: z.array(summaryText), encrypted_content: opt(z.string()), id: opt(z.string()) }),
  file_search_call: z.looseObject({ id: z.string(), queries: z.array(z.string()), status: z.string() }),
  code_interpreter_call: z.looseObject({ id: z.string(), code: z.string().nullable(), container_id: z.string() }),
};

const messageShape = z.looseObject({
  content: z.union([z.string(), z.array(z.unknown())], { error: 'one of a string or array of objects' }),
});

/** Checks every item of an `input` list, reporting issues at `input[i]…` through `ctx`. */
export function checkInputItems(ctx: Ctx, items: readonly unknown[]): void {
  items.forEach((item, i) => checkItem(ctx, item, [i]));
}

function checkItem(ctx: Ctx, item: unknown, path: Path): void {
  if (!isObject(item)) return typeIssue(ctx, path, item, 'an input item');
  const type = item.type ?? (item.role === undefined && item.id !== undefined ? 'item_reference' : undefined);
  if (type === undefined || type === 'message') return checkMessage(ctx, item, path);
  if (typeof type !== 'string' || !(INPUT_ITEM_TYPES as readonly string[]).includes(type)) {
    return preRendered(ctx, path, item, unsupported(type, INPUT_ITEM_TYPES));
  }
  applySchema(ctx, ITEM_SCHEMAS[type], item, path);
}

function checkMessage(ctx: Ctx, item: Record<string, unknown>, path: Path): void {
  const role = item.role;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    return preRendered(ctx, path, item, unsupported(role, ROLES));
  }
  if (!applySchema(ctx, messageShape, item, path) || !Array.isArray(item.content)) return;
  const allowed = role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
  item.content.every((part, j) => checkPart(ctx, part, [...path, 'content', j], allowed));
}

/** One content part; false once an issue is reported, so only the first bad part of a message is. */
function checkPart(ctx: Ctx, part: unknown, path: Path, allowed: readonly string[]): boolean {
  if (!isObject(part)) {
    typeIssue(ctx, path, part, 'an object');
    return false;
  }
  const type = part.type;
  if (typeof type !== 'string' || !(PART_TYPES as readonly string[]).includes(type)) {
    preRendered(ctx, [...path, 'type'], part, unsupported(type, PART_TYPES));
    return false;
  }
  if (!allowed.includes(type)) {
    preRendered(ctx, path, part, unsupported(type, allowed));
    return false;
  }
  return applySchema(ctx, PART_SCHEMAS[type], part, path);
}

/** Runs a sub-schema on one item or part and re-reports its first issue under `path`; true when it passed. */
function applySchema(ctx: Ctx, schema: z.ZodType | undefined, value: unknown, path: Path): boolean {
  const result = schema?.safeParse(value);
  if (!result || result.success) return true;
  const issue = result.error.issues[0]!;
  ctx.issues.push({ ...issue, path: [...path, ...issue.path] });
  return false;
}

function typeIssue(ctx: Ctx, path: Path, input: unknown, expected: string): void {
  ctx.issues.push({ code: 'custom', input, path: [...path], message: 'invalid type', params: { code: 'invalid_type', expected } });
}

function preRendered(ctx: Ctx, path: Path, input: unknown, message: string): void {
  const params: PreRendered = { preRendered: { message, code: 'invalid_value' } };
  ctx.issues.push({ code: 'custom', input, path: [...path], message, params: { ...params } });
}

/** OpenAI's "Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'." (a non-string value shows as ''). */
function unsupported(value: unknown, supported: readonly string[]): string {
  const quoted = supported.map((v) => `'${v}'`);
  const list = quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  return `Invalid value: '${typeof value === 'string' ? value : ''}'. Supported values are: ${list}.`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
