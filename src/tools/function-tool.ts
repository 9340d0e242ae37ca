import type { Tool } from './tool.js';

/** The client's own functions: offered to the model as they are; the client runs them. */
export const functionTool: Tool = {
  type: 'function',
  definition(tool) {
    if (tool.type !== 'function') throw new Error('functionTool: not a function tool');
    return { type: 'function', function: tool.function };
  },
  replay(call, args) {
    if (call.type !== 'function') return { name: call.type, arguments: args ?? '{}' };
    return { name: call.function.name, arguments: call.function.arguments };
  },
  assistants: {
    start: ({ id, name }) => ({ id, type: 'function', function: { name, arguments: '', output: null } }),
    arguments: (delta) => ({ type: 'function', function: { arguments: delta.arguments } }),
  },
};
