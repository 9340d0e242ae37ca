import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../deps.js';
import { cancelAssistantRun, createRun, createThreadAndRun, listThreadRuns, retrieveAssistantRun, updateRun } from '../services/runs.service.js';
import { listSteps, retrieveStep } from '../services/run-steps.service.js';
import { submitToolOutputs } from '../services/tool-outputs.service.js';
import { isTerminal } from '../engine/run-state.js';
import { toRunObject } from '../store/serialize-runs.js';
import { toAssistantStep } from '../streaming/assistant-stream.js';
import type { RunRow } from '../store/tables/runs.table.js';
import { streamRunEvents } from './run-stream.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import {
  createRunSchema,
  createThreadAndRunSchema,
  submitToolOutputsSchema,
  updateRunSchema,
} from './schemas/runs.schema.js';

type ThreadParams = { Params: { thread_id: string } };
type RunParams = { Params: { thread_id: string; run_id: string } };
type StepParams = { Params: { thread_id: string; run_id: string; step_id: string } };

/** The SDK's pollers (createAndPoll…) wait the hint between retrieves of a run still going (engine/poll-hint.ts). */
function runReply(deps: Deps, reply: FastifyReply, run: RunRow) {
  if (!isTerminal(run.status)) reply.header('openai-poll-after-ms', String(deps.engine.pollAfterMs));
  return toRunObject(run);
}

/** `include[]=…` (as the SDK sends it) or `include=…`, one value or several. */
function includeOf(query: unknown): string[] {
  const q = (query ?? {}) as Record<string, unknown>;
  const raw = q['include[]'] ?? q.include;
  return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
}

/** /threads/{thread_id}/runs…, /threads/runs, and run steps. */
export function runsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    app.post<ThreadParams>('/threads/:thread_id/runs', async (req, reply) => {
      const params = parseRequest(createRunSchema, req.body);
      if (params.stream)
        return streamRunEvents({
          reply,
          events: deps.events,
          tools: deps.tools,
          start: (subscribe) => createRun(deps, req.caller, req.params.thread_id, params, { subscribe }),
        });
      return runReply(deps, reply, await createRun(deps, req.caller, req.params.thread_id, params));
    });

    app.post('/threads/runs', async (req, reply) => {
      const params = parseRequest(createThreadAndRunSchema, req.body);
      if (params.stream)
        return streamRunEvents({
          reply,
          events: deps.events,
          tools: deps.tools,
          start: (subscribe) => createThreadAndRun(deps, req.caller, params, { subscribe }),
        });
      return runReply(deps, reply, (await createThreadAndRun(deps, req.caller, params)).run);
    });

    app.get<ThreadParams>('/threads/:thread_id/runs', async (req) => {
      const page = await listThreadRuns(deps, req.caller.tenantId, req.params.thread_id, parseListQuery(req.query));
      return toListPage(page.rows.map(toRunObject), page.hasMore);
    });

    const ref = (req: { caller: { tenantId: string }; params: RunParams['Params'] }) => ({
      tenantId: req.caller.tenantId,
      threadId: req.params.thread_id,
      runId: req.params.run_id,
    });

    app.get<RunParams>('/threads/:thread_id/runs/:run_id', async (req, reply) => runReply(deps, reply, await retrieveAssistantRun(deps, ref(req))));

    app.post<RunParams>('/threads/:thread_id/runs/:run_id', async (req, reply) => {
      const { metadata } = parseRequest(updateRunSchema, req.body);
      return runReply(deps, reply, await updateRun(deps, ref(req), metadata));
    });

    app.post<RunParams>('/threads/:thread_id/runs/:run_id/cancel', async (req, reply) =>
      runReply(deps, reply, await cancelAssistantRun(deps, ref(req))),
    );

    app.post<RunParams>('/threads/:thread_id/runs/:run_id/submit_tool_outputs', async (req, reply) => {
      const params = parseRequest(submitToolOutputsSchema, req.body);
      if (params.stream)
        return streamRunEvents({
          reply,
          events: deps.events,
          tools: deps.tools,
          start: (subscribe) => submitToolOutputs(deps, req.caller, ref(req), params, { subscribe }),
        });
      return runReply(deps, reply, await submitToolOutputs(deps, req.caller, ref(req), params));
    });

    app.get<RunParams>('/threads/:thread_id/runs/:run_id/steps', async (req) => {
      const page = await listSteps(deps, ref(req), parseListQuery(req.query));
      const include = includeOf(req.query);
      return toListPage(page.rows.map((row) => toAssistantStep(row, deps.tools, include)), page.hasMore);
    });

    app.get<StepParams>('/threads/:thread_id/runs/:run_id/steps/:step_id', async (req) =>
      toAssistantStep(await retrieveStep(deps, ref(req), req.params.step_id), deps.tools, includeOf(req.query)),
    );
  };
}
