import type { Logger } from 'pino';
import type { AssistantTool } from 'openai/resources/beta/assistants';
import type { ModelTool, ModelToolChoice } from '../providers/chat-model.js';
import { fromJson } from '../store/json.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { Tool, ToolRegistry, ToolRunContext } from '../tools/tool.js';
import type { StepUsage } from './run-writer.js';
import { calledTools } from './tool-history.js';

/** The tools a run's turn offers its model (toolChoiceFor below gives the choice among them). */
export interface OfferedTools {
  model: ModelTool[];
  /** model function name → the tool behind it and its assistant entry. */
  byName: Map<string, { impl: Tool; config: AssistantTool }>;
}

export async function offeredTools(registry: ToolRegistry, tools: AssistantTool[], log: Logger, ctx: ToolRunContext): Promise<OfferedTools> {
  const offered: OfferedTools = { model: [], byName: new Map() };
  for (const t of tools) {
    const impl = registry.get(t.type);
    if (!impl) {
      log.warn({ tool: t.type }, 'tool not available on this server; not offered to the model');
      continue;
    }
    const def = impl.definitionFor ? await impl.definitionFor(t, ctx) : impl.definition(t);
    offered.model.push(def);
    offered.byName.set(def.function.name, { impl, config: t });
  }
  return offered;
}

/**
 * The run's tool_choice for this turn. A forcing choice holds until it is satisfied — `required`
 * ("must call one or more tools before responding to the user") until the run has called a tool, a
 * named tool until it has been called — then the model may answer (`auto`), so a forced tool never
 * loops, least of all a server tool the run executes itself.
 */
export function toolChoiceFor(run: RunRow, steps: RunStepRow[], tools: ToolRegistry): ModelToolChoice | undefined {
  const choice = fromJson<string | { type: string; function?: { name: string } } | null>(run.tool_choice, null);
  if (choice === null || typeof choice === 'string') {
    if (choice === 'required' && calledTools(tools, steps).size > 0) return 'auto';
    return (choice ?? undefined) as ModelToolChoice | undefined;
  }
  const name = choice.type === 'function' && choice.function ? choice.function.name : choice.type;
  if (calledTools(tools, steps).has(name)) return 'auto';
  return { type: 'function', function: { name } };
}

/**
 * The usage of the turn that ended the run on the client's calls, when the run's last step is that turn (a
 * completed tool_calls step with calls left without output): a worker that stopped after committing it, before
 * the run completed, left the run for the next one to complete without calling the model again.
 */
export function endedOnClientCalls(run: RunRow, steps: RunStepRow[]): { usage: StepUsage | null } | undefined {
  const last = steps.at(-1);
  if (run.client_calls !== 'end' || last?.type !== 'tool_calls' || last.status !== 'completed') return undefined;
  const outputs = fromJson<Record<string, string>>(last.tool_outputs, {});
  const calls = fromJson<{ tool_calls?: Array<{ id: string }> }>(last.step_details, {}).tool_calls ?? [];
  return calls.some((c) => outputs[c.id] === undefined) ? { usage: fromJson<StepUsage | null>(last.usage, null) } : undefined;
}
