import type { Tool } from '../tools/tool.js';
import { errorTypeOf } from './error-type.js';
import { tracing } from './tracing.js';

/**
 * A server tool whose calls each get an `execute_tool {type}` span (under the run's span) with the
 * tool type and call id; the tool itself when traces are off.
 */
export function instrumentTool(tool: Tool): Tool {
  const execute = tool.execute;
  if (!tracing.active || !execute) return tool;
  return {
    ...tool,
    async execute(call, ctx) {
      const span = tracing.startSpan(`execute_tool ${tool.type}`, {
        kind: 'internal',
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool.type,
          'gen_ai.tool.type': tool.type,
          'gen_ai.tool.call.id': call.id,
          'switchboard.run_id': ctx.runId,
        },
      });
      try {
        return await tracing.withSpan(span, () => execute.call(tool, call, ctx));
      } catch (err) {
        span?.setAttribute('error.type', errorTypeOf(err));
        tracing.failed(span, err);
        throw err;
      } finally {
        span?.end();
      }
    },
  };
}
