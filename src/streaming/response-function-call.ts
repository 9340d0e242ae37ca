import type { ResponseFunctionToolCall, ResponseOutputItem } from 'openai/resources/responses/responses';
import { fromJson } from '../store/json.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { callItemId, type ResponsesToolView } from '../tools/tool.js';

const asFunctionCall = (item: ResponseOutputItem): ResponseFunctionToolCall | undefined =>
  item.type === 'function_call' ? item : undefined;

/**
 * A call as the model made it, a `function_call` item: the client's functions, and any tool without a Responses
 * view of its own. Its arguments stream as `response.function_call_arguments.delta`, then `.done` with the whole.
 */
export const functionCallView: ResponsesToolView = {
  start: ({ id, name }) => ({
    item: { id: callItemId('fc', id), type: 'function_call', call_id: id, name, arguments: '', status: 'in_progress' },
    events: [],
  }),
  arguments: (item, { arguments: delta }) => {
    const call = asFunctionCall(item);
    if (!call) return { item, events: [] };
    return { item: { ...call, arguments: call.arguments + delta }, events: [{ type: 'response.function_call_arguments.delta', delta }] };
  },
  called: (item, { arguments: args }) => {
    const call = asFunctionCall(item);
    if (!call) return { item, events: [] };
    const events = [{ type: 'response.function_call_arguments.done' as const, name: call.name, arguments: args }];
    return { item: { ...call, arguments: args, status: 'completed' }, events };
  },
  /** Written whole, the call is complete; cut off before (the response ended first), incomplete. */
  done: (item) => {
    const call = asFunctionCall(item);
    return { item: call && call.status !== 'completed' ? { ...call, status: 'incomplete' } : item, events: [] };
  },
};

/**
 * The id of a client's function_call item: as the engine named the stored item (the step's tool_outputs
 * `<call id>:item`, runs with client_calls `end`), else `fc_` + the call id. The stream and a read of the
 * response both name the item this way.
 */
export function functionCallItemId(step: Pick<RunStepRow, 'tool_outputs'>, callId: string): string {
  return fromJson<Record<string, string>>(step.tool_outputs, {})[`${callId}:item`] ?? callItemId('fc', callId);
}
