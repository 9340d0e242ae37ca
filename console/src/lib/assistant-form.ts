import type { Assistant, AssistantCreateParams, AssistantTool, FunctionTool } from 'openai/resources/beta/assistants';
import type { FunctionDefinition } from 'openai/resources/shared';
import { fromMetadataRows, toMetadataRows, type MetadataRow } from './metadata-rows.js';

/** The assistant editor's state: plain strings and booleans, as the inputs hold them. */
export interface AssistantForm {
  model: string;
  name: string;
  instructions: string;
  fileSearch: boolean;
  codeInterpreter: boolean;
  /** Function tools as a JSON array of function definitions ({ name, description?, parameters? }). */
  functions: string;
  /** Vector store ids for file_search, separated by commas, spaces or new lines. */
  vectorStoreIds: string;
  /** File ids for code_interpreter, likewise. */
  fileIds: string;
  metadata: MetadataRow[];
}

export const emptyAssistantForm = (model = ''): AssistantForm => ({
  model,
  name: '',
  instructions: '',
  fileSearch: false,
  codeInterpreter: false,
  functions: '',
  vectorStoreIds: '',
  fileIds: '',
  metadata: [],
});

const splitIds = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/** An assistant as the API returned it → the editor's state. */
export function toAssistantForm(a: Assistant): AssistantForm {
  const functions = a.tools.filter((t): t is FunctionTool => t.type === 'function').map((t) => t.function);
  return {
    model: a.model,
    name: a.name ?? '',
    instructions: a.instructions ?? '',
    fileSearch: a.tools.some((t) => t.type === 'file_search'),
    codeInterpreter: a.tools.some((t) => t.type === 'code_interpreter'),
    functions: functions.length ? JSON.stringify(functions, null, 2) : '',
    vectorStoreIds: (a.tool_resources?.file_search?.vector_store_ids ?? []).join(', '),
    fileIds: (a.tool_resources?.code_interpreter?.file_ids ?? []).join(', '),
    metadata: toMetadataRows(a.metadata as Record<string, string> | null),
  };
}

function isFunctionDefinition(v: unknown): v is FunctionDefinition {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}

/** The function tools text → tools, or a message saying what is wrong with it. */
export function parseFunctions(text: string): FunctionTool[] | string {
  if (!text.trim()) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return `Function tools are not valid JSON: ${(err as Error).message}`;
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (!list.every(isFunctionDefinition)) return 'Each function tool needs a "name".';
  return list.map((fn) => ({ type: 'function', function: fn }));
}

/**
 * The editor's state → the body of a create (or, with the same fields, an update) call; or the first
 * problem as a message. Empty name/instructions become null so an edit can clear them.
 */
export function toAssistantParams(form: AssistantForm): AssistantCreateParams | string {
  if (!form.model.trim()) return 'Pick a model.';
  const functions = parseFunctions(form.functions);
  if (typeof functions === 'string') return functions;
  const metadata = fromMetadataRows(form.metadata);
  if (typeof metadata === 'string') return metadata;
  const tools: AssistantTool[] = [
    ...(form.fileSearch ? [{ type: 'file_search' as const }] : []),
    ...(form.codeInterpreter ? [{ type: 'code_interpreter' as const }] : []),
    ...functions,
  ];
  return {
    model: form.model.trim(),
    name: form.name.trim() || null,
    instructions: form.instructions || null,
    tools,
    tool_resources: {
      file_search: { vector_store_ids: form.fileSearch ? splitIds(form.vectorStoreIds) : [] },
      code_interpreter: { file_ids: form.codeInterpreter ? splitIds(form.fileIds) : [] },
    },
    metadata,
  };
}
