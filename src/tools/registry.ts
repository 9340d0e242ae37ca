import { functionTool } from './function-tool.js';
import type { Tool, ToolRegistry } from './tool.js';

/** The tools the engine can offer. file_search and code_interpreter register here when they exist. */
export function createToolRegistry(extra: Tool[] = []): ToolRegistry {
  const tools = new Map<string, Tool>([[functionTool.type, functionTool]]);
  for (const t of extra) tools.set(t.type, t);
  return { get: (type) => tools.get(type) };
}
