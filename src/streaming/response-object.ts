/**
 * The Responses API's `response` object, built from the request and the state of the response (pure). It echoes
 * every request option with OpenAI's default where the request left it out (spec: `Response`; the Open Responses
 * specification requires the same fields), so `responses.retrieve`, the stream's `response.*` events and the create
 * call all show one shape. `output_text` is not on the wire: the SDK computes it from `output`.
 */
import type {
  FileSearchTool,
  FunctionTool,
  Response,
  ResponseCreateParamsBase,
  ResponseError,
  ResponseOutputItem,
  ResponseStatus,
  ResponseUsage,
  Tool,
} from 'openai/resources/responses/responses';

/** A function tool as requests send it: the SDK's type requires `parameters` and `strict`, clients leave them out. */
export type FunctionToolParam = Omit<FunctionTool, 'parameters' | 'strict'> &
  Partial<Pick<FunctionTool, 'parameters' | 'strict'>>;
export type ToolParam = Exclude<Tool, FunctionTool> | FunctionToolParam;

/** `input` is not echoed (it is listed by input_items); `tools` take ToolParam. */
type CreateParams = Omit<ResponseCreateParamsBase, 'tools' | 'input'>;

/** The request options the object echoes: a validated `POST /v1/responses` body, where null means left out. */
export type ResponseRequest = { [K in keyof CreateParams]?: CreateParams[K] | null } & {
  tools?: ToolParam[] | null;
  /** In the spec (`ResponseProperties`, `ModelResponseProperties`), not in the SDK's create params. */
  max_tool_calls?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
};

/** Where a response stands: what the store and the engine know, not what the client asked. */
export interface ResponseState {
  id: string;
  created_at: number;
  status: ResponseStatus;
  /** The model that answers (an alias resolved), as OpenAI shows the dated model. */
  model: string;
  output: ResponseOutputItem[];
  usage: ResponseUsage | null;
  error: ResponseError | null;
  incomplete_details: Response.IncompleteDetails | null;
  completed_at: number | null;
}

/** Fields the SDK's `Response` marks optional but OpenAI always sends. */
type Echoed =
  | 'background'
  | 'completed_at'
  | 'conversation'
  | 'max_output_tokens'
  | 'previous_response_id'
  | 'prompt_cache_key'
  | 'reasoning'
  | 'safety_identifier'
  | 'service_tier'
  | 'status'
  | 'text'
  | 'top_logprobs'
  | 'truncation';

/**
 * The wire object: the SDK's `Response` without `output_text` (SDK-side only), every echoed field present, and the
 * fields OpenAI sends that the SDK's type leaves out (`store`, `max_tool_calls`, the penalties) or types narrower
 * (`user` and `usage` are null until known).
 */
export type ResponseObject = Omit<Response, 'output_text' | 'user' | 'usage' | Echoed> &
  Required<Pick<Response, Echoed>> & {
    usage: ResponseUsage | null;
    user: string | null;
    store: boolean;
    max_tool_calls: number | null;
    presence_penalty: number;
    frequency_penalty: number;
  };

export function toResponseObject(request: ResponseRequest, state: ResponseState): ResponseObject {
  return {
    id: state.id,
    object: 'response',
    created_at: state.created_at,
    status: state.status,
    background: request.background ?? false,
    completed_at: state.completed_at,
    conversation: toConversation(request.conversation),
    error: state.error,
    incomplete_details: state.incomplete_details,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    model: state.model,
    output: state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    presence_penalty: request.presence_penalty ?? 0,
    frequency_penalty: request.frequency_penalty ?? 0,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: {
      effort: request.reasoning?.effort ?? null,
      summary: request.reasoning?.summary ?? request.reasoning?.generate_summary ?? null,
    },
    safety_identifier: request.safety_identifier ?? null,
    service_tier: toServiceTier(request.service_tier),
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' }, verbosity: request.text?.verbosity ?? 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map(echoTool),
    top_logprobs: request.top_logprobs ?? 0,
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: state.usage,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

/** `usage` as OpenAI reports it, details included, from the token counts the engine records. */
export function toResponseUsage(counts: {
  input_tokens: number;
  output_tokens: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}): ResponseUsage {
  return {
    input_tokens: counts.input_tokens,
    input_tokens_details: { cached_tokens: counts.cached_tokens ?? 0, cache_write_tokens: 0 },
    output_tokens: counts.output_tokens,
    output_tokens_details: { reasoning_tokens: counts.reasoning_tokens ?? 0 },
    total_tokens: counts.input_tokens + counts.output_tokens,
  };
}

function toConversation(conversation: ResponseRequest['conversation']): Response.Conversation | null {
  if (conversation == null) return null;
  return { id: typeof conversation === 'string' ? conversation : conversation.id };
}

/** The tier that served the request: Switchboard has one, so `auto` (and nothing) reads as `default`. */
function toServiceTier(tier: ResponseRequest['service_tier']): NonNullable<Response['service_tier']> {
  return tier == null || tier === 'auto' ? 'default' : tier;
}

/** A tool as OpenAI echoes it: the members the request left out filled with their defaults. */
function echoTool(tool: ToolParam): Tool {
  if (tool.type === 'function') return echoFunctionTool(tool);
  if (tool.type === 'file_search') return echoFileSearchTool(tool);
  return tool;
}

const echoFunctionTool = (tool: FunctionToolParam): FunctionTool => ({
  ...tool,
  description: tool.description ?? null,
  parameters: tool.parameters ?? null,
  strict: tool.strict ?? true,
});

const echoFileSearchTool = (tool: FileSearchTool): FileSearchTool => ({
  ...tool,
  filters: tool.filters ?? null,
  max_num_results: tool.max_num_results ?? 20,
  ranking_options: { ranker: 'auto', score_threshold: 0, ...tool.ranking_options },
});
