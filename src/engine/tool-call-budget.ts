import type { ModelTool } from '../providers/chat-model.js';
import type { Tool } from '../tools/tool.js';

/**
 * A run's max_tool_calls: how many more calls of the server's own tools (those with `execute`) it may execute,
 * over all its turns. The client's functions do not count. A call past the limit
 * is ignored (OpenAI: "any further attempts to call a tool by the model will be ignored"), and once nothing is
 * left the server's tools are no longer offered.
 */
export class ToolCallBudget {
  #left: number;

  /** `max` null: no limit. `used`: the server calls the run has already made. */
  constructor(max: number | null | undefined, used: number) {
    this.#left = max == null ? Number.POSITIVE_INFINITY : Math.max(0, max - used);
  }

  get exhausted(): boolean {
    return this.#left <= 0;
  }

  /** Takes one call from the budget; false (and nothing taken) when none is left. */
  take(): boolean {
    if (this.#left <= 0) return false;
    this.#left -= 1;
    return true;
  }
}

/** Tools as offered to the model: the model's definitions and, by function name, the tool behind each. */
export interface ToolOffer<T extends { impl: Pick<Tool, 'execute'> }> {
  model: ModelTool[];
  byName: Map<string, T>;
}

/** The offer without the server's own tools once the budget is spent (the client's functions stay). */
export function withinBudget<T extends { impl: Pick<Tool, 'execute'> }>(offer: ToolOffer<T>, budget: ToolCallBudget): ToolOffer<T> {
  if (!budget.exhausted) return offer;
  const byName = new Map([...offer.byName].filter(([, t]) => t.impl.execute === undefined));
  return { model: offer.model.filter((m) => byName.has(m.function.name)), byName };
}
