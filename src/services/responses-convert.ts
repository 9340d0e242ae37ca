import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { AssistantResponseFormatOption, AssistantToolChoiceOption } from 'openai/resources/beta/threads/threads';
import type { Logger } from 'pino';
import { idsAt, type ReferencedIds } from './referenced-ids.js';
import type { RequestInput } from '../streaming/response-input-items.js';
import type { ResponseRequest, ToolParam } from '../streaming/response-object.js';
import type { NewRunRow } from '../store/tables/runs.table.js';
import type { RunOptions } from './runs.service.js';

/**
 * A `POST /v1/responses` request → the columns of the run that does its work (the Assistants shape the engine
 * reads): flat function tools nested, text.format → response_format, max_output_tokens → max_completion_tokens,
 * reasoning.effort → reasoning_effort, truncation → truncation_strategy. Hosted tools Switchboard cannot run are
 * left out (logged once per type).
 */
/** A validated `POST /v1/responses` body (api/schemas/responses.schema.ts checks it). */
export type CreateResponseRequest = ResponseRequest & { model: string; input: RequestInput; stream?: boolean | null };

export interface ResponseRunOptions {
  params: RunOptions;
  /** JSON tool_resources: the vector stores of file_search, the files of code_interpreter's container. */
  toolResources: string | null;
  /** Run columns the Assistants API has no parameter for. */
  columns: Pick<NewRunRow, 'max_tool_calls' | 'prompt_overflow'>;
}

const loggedHostedTypes = new Set<string>();

export function toRunOptions(request: CreateResponseRequest, log: Pick<Logger, 'info'>): ResponseRunOptions {
  const tools = (request.tools ?? []).flatMap((t) => toAssistantTool(t, log));
  return {
    params: {
      assistant_id: '',
      model: request.model,
      instructions: request.instructions ?? '',
      tools,
      metadata: request.metadata ?? {},
      temperature: request.temperature ?? null,
      top_p: request.top_p ?? null,
      max_completion_tokens: request.max_output_tokens ?? null,
      truncation_strategy: request.truncation === 'auto' ? { type: 'auto', last_messages: null } : { type: 'last_messages', last_messages: null },
      response_format: toResponseFormat(request.text?.format),
      tool_choice: toToolChoice(request.tool_choice),
      parallel_tool_calls: request.parallel_tool_calls ?? true,
      reasoning_effort: request.reasoning?.effort ?? null,
    },
    toolResources: toToolResources(request.tools ?? []),
    // truncation `disabled` (OpenAI's default): a prompt larger than the model's context fails the response.
    columns: { max_tool_calls: request.max_tool_calls ?? null, prompt_overflow: request.truncation === 'auto' ? 'send' : 'fail' },
  };
}

function toAssistantTool(tool: ToolParam, log: Pick<Logger, 'info'>): AssistantTool[] {
  if (tool.type === 'function') {
    const fn = { name: tool.name, description: tool.description ?? undefined, parameters: tool.parameters ?? undefined, strict: tool.strict ?? null };
    return [{ type: 'function', function: fn }];
  }
  if (tool.type === 'file_search') {
    return [{ type: 'file_search', file_search: fileSearchOptions(tool) }];
  }
  if (tool.type === 'code_interpreter') return [{ type: 'code_interpreter' }];
  if (!loggedHostedTypes.has(tool.type)) {
    loggedHostedTypes.add(tool.type);
    log.info({ tool: tool.type }, 'a hosted tool Switchboard cannot run was accepted and is not offered to the model');
  }
  return [];
}

type FileSearchOptions = NonNullable<Extract<AssistantTool, { type: 'file_search' }>['file_search']>;

/** max_num_results, score_threshold and hybrid_search (carried beside the Assistants fields) of a Responses file_search tool. */
function fileSearchOptions(tool: Extract<ToolParam, { type: 'file_search' }>): FileSearchOptions {
  const options: FileSearchOptions = tool.max_num_results ? { max_num_results: tool.max_num_results } : {};
  const ranking = tool.ranking_options;
  if (!ranking) return options;
  const { score_threshold: threshold, hybrid_search: hybrid } = ranking;
  const rankingOptions = { score_threshold: threshold ?? 0, ...(hybrid ? { hybrid_search: hybrid } : {}) };
  return { ...options, ranking_options: rankingOptions };
}

function toToolResources(tools: readonly ToolParam[]): string | null {
  const vectorStoreIds = tools.flatMap((t) => (t.type === 'file_search' ? t.vector_store_ids : []));
  const fileIds = tools.flatMap((t) =>
    t.type === 'code_interpreter' && typeof t.container === 'object' ? (t.container.file_ids ?? []) : [],
  );
  const resources = {
    ...(vectorStoreIds.length && { file_search: { vector_store_ids: vectorStoreIds } }),
    ...(fileIds.length && { code_interpreter: { file_ids: fileIds } }),
  };
  return Object.keys(resources).length ? JSON.stringify(resources) : null;
}

type Format = NonNullable<NonNullable<CreateResponseRequest['text']>['format']>;

function toResponseFormat(format: Format | null | undefined): AssistantResponseFormatOption | undefined {
  if (!format) return undefined;
  if (format.type !== 'json_schema') return { type: format.type };
  const { name, schema, strict, description } = format;
  return { type: 'json_schema', json_schema: { name, schema, strict: strict ?? null, ...(description != null && { description }) } };
}

function toToolChoice(choice: CreateResponseRequest['tool_choice']): AssistantToolChoiceOption {
  if (choice == null) return 'auto';
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && 'name' in choice) return { type: 'function', function: { name: choice.name } };
  if (choice.type === 'file_search' || choice.type === 'code_interpreter') return { type: choice.type };
  return 'auto';
}

/** The vector stores and files the request's tools name, each with its place (`tools[0].vector_store_ids[1]`). */
export function toolIds(tools: readonly ToolParam[] | null | undefined): ReferencedIds {
  const ids: ReferencedIds = { files: [], vectorStores: [] };
  (tools ?? []).forEach((t, i) => {
    if (t.type === 'file_search') ids.vectorStores.push(...idsAt(t.vector_store_ids, `tools[${i}].vector_store_ids`));
    if (t.type === 'code_interpreter' && typeof t.container === 'object')
      ids.files.push(...idsAt(t.container.file_ids, `tools[${i}].container.file_ids`));
  });
  return ids;
}
