import type { FileSearchToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { ResponseFileSearchToolCall, ResponseOutputItem } from 'openai/resources/responses/responses';
import type { MeterSink } from '../metering/usage-event.js';
import { citationSource } from './citations.js';
import { callItemId, type AssistantsToolView, type ResponsesToolView, type Tool, type ToolContext } from './tool.js';

/** One search result as file_search reports it. */
export interface FileSearchResult {
  fileId: string;
  filename: string;
  score: number;
  text: string;
}

/** ranking_options.hybrid_search (Responses' file_search tool): the embedding and text halves' weights. */
export interface HybridSearchWeights {
  embedding_weight: number;
  text_weight: number;
}

export type FileSearchFn = (
  ctx: ToolContext,
  opts: { query: string; vectorStoreIds: string[]; maxResults: number; scoreThreshold: number; ranker?: string; weights?: HybridSearchWeights },
) => Promise<FileSearchResult[]>;

const DEFAULT_MAX_RESULTS = 20;
const RANKER = 'default_2024_08_21';

/** 【call:result†file】 markers: the model copies them into its answer to cite a source. */
export const citationMarker = (callIndex: number, resultIndex: number, filename: string) =>
  `【${callIndex}:${resultIndex}†${filename}】`;

function vectorStoreIdsOf(ctx: ToolContext): string[] {
  const fileSearch = (ctx.toolResources?.file_search ?? {}) as { vector_store_ids?: unknown };
  return Array.isArray(fileSearch.vector_store_ids) ? fileSearch.vector_store_ids.filter((v): v is string => typeof v === 'string') : [];
}

/** The query a call's arguments carry: `{"query": …}`, or the arguments themselves when they are not JSON. */
function queryOf(args: string): string {
  try {
    const parsed = JSON.parse(args || '{}') as { query?: unknown };
    return typeof parsed.query === 'string' ? parsed.query : '';
  } catch {
    return args;
  }
}

/** `hybrid_search` of a tool's ranking_options, when it holds two numbers (the request schema checked them). */
function hybridWeightsOf(options: object | undefined): HybridSearchWeights | undefined {
  const weights: unknown = options && 'hybrid_search' in options ? options.hybrid_search : undefined;
  if (typeof weights !== 'object' || weights === null) return undefined;
  const { embedding_weight: e, text_weight: t } = weights as Partial<Record<keyof HybridSearchWeights, unknown>>;
  return typeof e === 'number' && typeof t === 'number' ? { embedding_weight: e, text_weight: t } : undefined;
}

function formatOutput(query: string, callIndex: number, results: FileSearchResult[]): string {
  if (results.length === 0) return `No results found for "${query}" in the attached files.`;
  const sources = results.map((r, i) => `${citationMarker(callIndex, i, r.filename)}\n${r.text}`);
  return (
    `Results for "${query}". When you use a result, cite it by copying its marker (like ` +
    `${citationMarker(callIndex, 0, results[0]!.filename)}) right after the sentence it supports.\n\n` +
    sources.join('\n\n')
  );
}

function toolCallOf(id: string, scoreThreshold: number, results: FileSearchResult[]): FileSearchToolCall {
  return {
    id,
    type: 'file_search',
    file_search: {
      ranking_options: { ranker: RANKER, score_threshold: scoreThreshold },
      results: results.map((r) => ({
        file_id: r.fileId,
        file_name: r.filename,
        score: r.score,
        content: [{ type: 'text', text: r.text }],
      })),
    },
  };
}

/** The include[] value that asks for file_search results' content. */
export const FILE_SEARCH_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

/**
 * file_search's calls in the Assistants API: a streamed call is announced with empty details and
 * shows no query; a step shows its results' content only when include[] asks for it.
 */
export const fileSearchView: AssistantsToolView = {
  start: ({ id }) => ({ id, type: 'file_search', file_search: {} }),
  arguments: () => undefined,
  shown: (call, include) =>
    call.type === 'file_search' && call.file_search.results && !include.includes(FILE_SEARCH_CONTENT)
      ? { ...call, file_search: { ...call.file_search, results: call.file_search.results.map(({ content: _content, ...r }) => r) } }
      : call,
};

/** The include value that shows a file_search_call's results in the Responses API. */
export const RESPONSES_FILE_SEARCH_RESULTS = 'file_search_call.results';

const asSearchCall = (item: ResponseOutputItem): ResponseFileSearchToolCall | undefined =>
  item.type === 'file_search_call' ? item : undefined;

/** A recorded call's results as a Responses file_search_call shows them. */
const toResults = (call: FileSearchToolCall): ResponseFileSearchToolCall.Result[] =>
  (call.file_search.results ?? []).map((r) => ({
    file_id: r.file_id,
    filename: r.file_name,
    score: r.score,
    text: (r.content ?? []).map((c) => c.text ?? '').join(''),
    attributes: {},
  }));

/**
 * file_search's calls in the Responses API, a `file_search_call` item: announced with no query, searching once
 * the model wrote its query, completed with the step (its results only when `include` asks for them).
 */
export const fileSearchResponsesView: ResponsesToolView = {
  start: ({ id }) => ({
    item: { id: callItemId('fs', id), type: 'file_search_call', queries: [], status: 'in_progress', results: null },
    events: [{ type: 'response.file_search_call.in_progress' }],
  }),
  called: (item, { arguments: args }) => {
    const call = asSearchCall(item);
    if (!call) return { item, events: [] };
    const query = queryOf(args);
    return { item: { ...call, queries: query ? [query] : [], status: 'searching' }, events: [{ type: 'response.file_search_call.searching' }] };
  },
  done: (item, record, include) => {
    const call = asSearchCall(item);
    if (!call) return { item, events: [] };
    if (record?.type !== 'file_search') return { item: { ...call, status: 'incomplete' }, events: [] };
    const results = include.includes(RESPONSES_FILE_SEARCH_RESULTS) ? toResults(record) : null;
    return { item: { ...call, status: 'completed', results }, events: [{ type: 'response.file_search_call.completed' }] };
  },
};

/**
 * file_search: the model gets a `file_search({query})` function; the server searches the vector
 * stores of the assistant's and the thread's tool_resources and hands back the top chunks. The
 * step records OpenAI's file_search tool call (ranking options, results with their content).
 */
export function createFileSearchTool(search: FileSearchFn, opts: { meter?: MeterSink; now?: () => number } = {}): Tool {
  /** One call metered per search run, under the first vector store it searched. */
  const meter = (ctx: ToolContext, vectorStoreIds: string[]) =>
    opts.meter?.meter({
      tenantId: ctx.tenantId,
      apiKeyId: ctx.apiKeyId ?? '',
      meter: 'file_search_calls',
      subject: vectorStoreIds[0] ?? '',
      at: opts.now?.() ?? Date.now(),
      quantity: 1,
    });
  return {
    type: 'file_search',
    definition() {
      return {
        type: 'function',
        function: {
          name: 'file_search',
          description:
            'Search the files the user provided (documents, notes, data) for passages relevant to a query. ' +
            'Use it whenever the answer may be in those files.',
          parameters: {
            type: 'object',
            properties: { query: { type: 'string', maxLength: 256, description: 'What to look for, as a search query.' } },
            required: ['query'],
          },
        },
      };
    },
    // A call replays under its type with the query the model gave (the engine's default).
    annotations: citationSource,
    assistants: fileSearchView,
    responses: fileSearchResponsesView,
    async execute(call, ctx) {
      const query = queryOf(call.arguments);
      const config = ctx.tool.type === 'file_search' ? ctx.tool.file_search : undefined;
      const maxResults = config?.max_num_results ?? DEFAULT_MAX_RESULTS;
      const scoreThreshold = config?.ranking_options?.score_threshold ?? 0;
      const ranker = config?.ranking_options?.ranker;
      const weights = hybridWeightsOf(config?.ranking_options);
      const vectorStoreIds = vectorStoreIdsOf(ctx);
      let results: FileSearchResult[] = [];
      try {
        if (query && vectorStoreIds.length) {
          meter(ctx, vectorStoreIds);
          results = await search(ctx, { query, vectorStoreIds, maxResults, scoreThreshold, ranker, weights });
        }
      } catch (err) {
        if (ctx.abortSignal.aborted) throw err;
        // A missing or expired vector store is the model's problem to explain, not a failed run.
        const message = err instanceof Error ? err.message : String(err);
        return { output: `file_search failed: ${message}`, toolCall: toolCallOf(call.id, scoreThreshold, []) };
      }
      return { output: formatOutput(query, ctx.callIndex, results), toolCall: toolCallOf(call.id, scoreThreshold, results) };
    },
  };
}
