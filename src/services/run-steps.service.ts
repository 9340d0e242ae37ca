import type { Deps } from '../deps.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import { getRunStep, listRunSteps, runStepSeq } from '../store/repos/run-steps.repo.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { retrieveAssistantRun, type RunRef } from './runs.service.js';

export async function listSteps(deps: Deps, ref: RunRef, query: ListQuery): Promise<{ rows: RunStepRow[]; hasMore: boolean }> {
  const db = deps.store.db;
  await retrieveAssistantRun(deps, ref);
  return paginate({
    query,
    fetch: (window) => listRunSteps(db, ref, window),
    seqOf: (id) => runStepSeq(db, ref, id),
  });
}

export async function retrieveStep(deps: Deps, ref: RunRef, stepId: string): Promise<RunStepRow> {
  await retrieveAssistantRun(deps, ref);
  return getRunStep(deps.store.db, ref, stepId);
}
