import { functionTool } from './function-tool.js';
import type { Tool, ToolRegistry } from './tool.js';

/**
 * The tools the engine can offer: the client's functions, and the built-in tools the server runs.
 * A new tool is one module in tools/ that exports a Tool (definition, execute, replay, images,
 * annotations, its Assistants view), added to the list server.ts registers; the engine, the prompt
 * builder and the encoders only ever ask the registry.
 */
export function createToolRegistry(extra: Tool[] = []): ToolRegistry {
  const tools = new Map<string, Tool>([[functionTool.type, functionTool]]);
  for (const t of extra) tools.set(t.type, t);
  return { get: (type) => tools.get(type), list: () => [...tools.values()] };
}
