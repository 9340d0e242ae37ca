import type { Deps } from '../deps.js';
import { findAssistant } from '../store/repos/assistants.repo.js';
import { findRun } from '../store/repos/runs.repo.js';

/**
 * The model a request that queues a run will call first, so its rate limit is checked before anything is written
 * (OpenAI answers such a create with a 429). Undefined when the assistant or run is not the caller's: the request
 * then fails with its own 404 and nothing is counted.
 */
export async function modelOfAssistant(deps: Pick<Deps, 'store'>, tenantId: string, assistantId: unknown): Promise<string | undefined> {
  if (typeof assistantId !== 'string') return undefined;
  return (await findAssistant(deps.store.db, tenantId, assistantId))?.model;
}

/** The model of the run a `submit_tool_outputs` puts back in the queue (only one waiting on outputs is). */
export async function modelOfRun(
  deps: Pick<Deps, 'store'>,
  ref: { tenantId: string; threadId: string; runId: string },
): Promise<string | undefined> {
  const run = await findRun(deps.store.db, ref.tenantId, ref.threadId, ref.runId);
  return run?.status === 'requires_action' ? run.model : undefined;
}
