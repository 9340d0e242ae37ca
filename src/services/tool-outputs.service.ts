import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { Caller, Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import { publishRun } from '../engine/run-driver.js';
import { transition } from '../engine/run-state.js';
import { fromJson, toJson } from '../store/json.js';
import { listAllRunSteps, updateRunStep } from '../store/repos/run-steps.repo.js';
import { getRun } from '../store/repos/runs.repo.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { RunRef, StartOptions } from './runs.service.js';

/** The body of POST /threads/{id}/runs/{run_id}/submit_tool_outputs, as validated: every output names its call (the SDK's type leaves both optional). */
export interface SubmitToolOutputsParams {
  tool_outputs: Array<{ tool_call_id: string; output: string }>;
  stream?: boolean | null;
}

const QUEUED_TTL_MS = 10 * 60_000;

/** Every required call answered once, and nothing else. */
function checkOutputs(run: RunRow, outputs: SubmitToolOutputsParams['tool_outputs']): void {
  const action = fromJson<{ submit_tool_outputs?: { tool_calls?: Array<{ id: string }> } } | null>(run.required_action, null);
  const required = (action?.submit_tool_outputs?.tool_calls ?? []).map((c) => c.id);
  const given = outputs.map((o) => o.tool_call_id);
  const duplicate = given.find((id, i) => given.indexOf(id) !== i);
  if (duplicate) throw invalidRequest(`Duplicate tool output for tool call '${duplicate}'.`, 'tool_outputs');
  const unknown = given.find((id) => !required.includes(id));
  if (unknown)
    throw invalidRequest(`Invalid tool call id '${unknown}': it is not one this run is waiting for.`, 'tool_outputs');
  const missing = required.filter((id) => !given.includes(id));
  if (missing.length)
    throw invalidRequest(
      `Expected tool outputs for call_ids ${JSON.stringify(required)}, got ${JSON.stringify(given)}`,
      'tool_outputs',
    );
}

/** Writes the outputs onto the open tool_calls step and completes it. */
async function completeToolStep(
  deps: Deps,
  run: RunRow,
  outputs: Map<string, string>,
  db: Parameters<typeof updateRunStep>[0],
): Promise<RunStepRow | undefined> {
  const steps = await listAllRunSteps(db, run.id);
  const step = steps.find((s) => s.type === 'tool_calls' && s.status === 'in_progress');
  if (!step) return undefined;
  const details = fromJson<{ type: 'tool_calls'; tool_calls: ToolCall[] }>(step.step_details, { type: 'tool_calls', tool_calls: [] });
  const modelOutputs = fromJson<Record<string, string>>(step.tool_outputs, {});
  for (const call of details.tool_calls) {
    const out = outputs.get(call.id);
    if (out === undefined || call.type !== 'function') continue;
    call.function.output = out;
    modelOutputs[call.id] = out;
  }
  return updateRunStep(db, step.id, {
    step_details: toJson(details),
    tool_outputs: toJson(modelOutputs),
    status: 'completed',
    completed_at: Math.floor(deps.clock.now() / 1000),
  });
}

/**
 * submit_tool_outputs: records the outputs on the waiting step, puts the run back in the queue and
 * hands it to the engine, which continues it with the outputs in the prompt.
 */
export async function submitToolOutputs(
  deps: Deps,
  caller: Caller,
  ref: RunRef,
  params: SubmitToolOutputsParams,
  opts: StartOptions = {},
): Promise<RunRow> {
  const { step, run } = await deps.store.db.transaction().execute(async (trx) => {
    const current = await getRun(trx, caller.tenantId, ref.threadId, ref.runId);
    // A response's run is no Assistants run (its client calls end it: see runs.service retrieveAssistantRun).
    if (current.assistant_id === '') throw notFound('run', ref.runId);
    if (current.status !== 'requires_action')
      throw invalidRequest(`Runs in status "${current.status}" do not accept tool outputs.`);
    checkOutputs(current, params.tool_outputs);
    const outputs = new Map(params.tool_outputs.map((o) => [o.tool_call_id, o.output]));
    const completed = await completeToolStep(deps, current, outputs, trx);
    const nowMs = deps.clock.now();
    const queued = await transition(trx, current, 'queued', {
      nowMs,
      patch: { expires_at: Math.floor((nowMs + QUEUED_TTL_MS) / 1000) },
    });
    if (!queued) throw invalidRequest(`Run ${current.id} changed while its tool outputs were submitted; try again.`);
    return { step: completed, run: queued };
  });
  opts.subscribe?.(run.id);
  if (step) deps.events.publish(run.id, { type: 'step.done', step });
  publishRun(deps, run);
  deps.engine.enqueue(run.id);
  return run;
}
