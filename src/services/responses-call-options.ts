import type { RunCallOptions } from '../engine/run-loop.js';
import type { Db } from '../store/database.js';
import { fromJson } from '../store/json.js';
import { responseOfRun } from './responses-by-run.js';
import type { RunRow } from '../store/tables/runs.table.js';
import type { ResponseRequest } from '../streaming/response-object.js';

/**
 * What a response's run asks of the model beyond the run's columns: with `include: ["message.output_text.logprobs"]`
 * the tokens' logprobs, and `top_logprobs` alternatives for each. Runs of the Assistants API (they name an
 * assistant) are not looked up.
 */
export function responseCallOptions(db: Db): (run: RunRow) => Promise<RunCallOptions> {
  return async (run) => {
    if (run.assistant_id !== '') return {};
    const row = await responseOfRun(db, run.id);
    const request = fromJson<ResponseRequest>(row?.request ?? null, {});
    if (!request.include?.includes('message.output_text.logprobs')) return {};
    return { logprobs: true, ...(request.top_logprobs != null && { topLogprobs: request.top_logprobs }) };
  };
}
