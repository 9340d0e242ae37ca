import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import { fromJson } from '../store/json.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { TextAnnotator } from '../tools/text-annotator.js';
import type { ReplayedCall, ToolRegistry } from '../tools/tool.js';

/**
 * What a run's earlier tool calls mean for its next turn, asked of the tools themselves: how a call
 * replays, what it counts as, the images it left and the annotations its results allow. The engine
 * names no tool.
 */

/** The calls a tool_calls step recorded. */
export function recordedCalls(step: RunStepRow): ToolCall[] {
  if (step.type !== 'tool_calls') return [];
  return fromJson<{ tool_calls?: ToolCall[] }>(step.step_details, {}).tool_calls ?? [];
}

/** An earlier call as the model made it; `args` are the arguments it gave, as the step kept them. */
export function replayCall(tools: ToolRegistry, call: ToolCall, args: string | undefined): ReplayedCall {
  const replay = tools.get(call.type)?.replay;
  return replay ? replay(call, args) : { name: call.type, arguments: args ?? '{}' };
}

/** The model function names the run has called so far. */
export function calledTools(tools: ToolRegistry, steps: RunStepRow[]): Set<string> {
  return new Set(steps.flatMap(recordedCalls).map((c) => replayCall(tools, c, undefined).name));
}

/** Calls of tools the server runs (or no longer knows): what numbers server calls (citation markers). */
export function serverCallCount(tools: ToolRegistry, steps: RunStepRow[]): number {
  return steps.flatMap(recordedCalls).filter((c) => {
    const tool = tools.get(c.type);
    return !tool || tool.execute !== undefined;
  }).length;
}

/** The images the run's calls left since its last message, in order: they open the next message. */
export function pendingImages(tools: ToolRegistry, steps: RunStepRow[]): string[] {
  let images: string[] = [];
  for (const step of steps) {
    if (step.type === 'message_creation') images = [];
    for (const call of recordedCalls(step)) images.push(...(tools.get(call.type)?.images?.(call) ?? []));
  }
  return images;
}

/** An annotator for the next message, from every tool's earlier results. */
export function messageAnnotator(tools: ToolRegistry, steps: RunStepRow[]): TextAnnotator {
  return new TextAnnotator(tools.list().map((t) => t.annotations?.(steps) ?? null));
}
