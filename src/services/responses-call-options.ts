import type { RunCallOptions } from '../engine/run-loop.js';
import type { Db } from '../store/database.js';
import { requestOf, responseOfRun } from './responses-by-run.js';
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
    const request: ResponseRequest = row ? requestOf(row) : {};
    if (!request.include?.includes('message.output_text.logprobs')) return {};
    return { logprobs: true, ...(request.top_logprobs != null && { topLogprobs: request.top_logprobs }) };
  };
}

/**
 * Whether a run's messages are written only when they end (EngineDeps.writesAtEnd): a response's that is answered
 * when its run ends (a stream, or a create that waits), whose output nobody reads before. A background response's
 * output shows while it runs (retrieve, replay), as an Assistants run's messages do.
 */
export function responseWritesAtEnd(db: Db): (run: RunRow) => Promise<boolean> {
  return async (run) => run.assistant_id === '' && (await responseOfRun(db, run.id))?.background === 0;
}
