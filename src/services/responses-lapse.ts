import type { Deps } from '../deps.js';
import { relaxedCommits } from '../store/relaxed-commit.js';
import { listLapsedUnstoredResponses } from '../store/repos/responses.repo.js';
import { forgetResponseRows } from './responses-unkept.js';

/** Responses read and deleted per batch, and batches per sweep (the next sweep goes on). */
const BATCH = 100;
const MAX_BATCHES = 10;

/**
 * A `background: true, store: false` response is kept for polling while it runs and for
 * `config.responses.unstoredBackgroundTtlS` after its end (OpenAI: "the API deletes the response after about 10
 * minutes"); then this deletes it with all its rows (its run, hidden thread, messages, steps, items and stored events:
 * forgetResponseRows), a batch at a time, each response in its own commit, which waits for no disk (a power loss
 * that undid one leaves rows the next sweep finds again). Two instances sweeping the same response is harmless: the
 * second deletes nothing. Returns how many were deleted.
 */
export async function sweepLapsedResponses(deps: Pick<Deps, 'store' | 'clock' | 'config' | 'log'>, batch = BATCH): Promise<number> {
  const endedBy = Math.floor(deps.clock.now() / 1000) - deps.config.responses.unstoredBackgroundTtlS;
  const forget = relaxedCommits(deps.store.db, deps.store.dialect);
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const rows = await listLapsedUnstoredResponses(deps.store.db, { endedBy, limit: batch });
    for (const row of rows) {
      await forget((trx) => forgetResponseRows(trx, row));
      deleted++;
    }
    if (rows.length < batch) break;
  }
  if (deleted) deps.log.info({ deleted }, 'lapsed background store:false responses deleted');
  return deleted;
}
