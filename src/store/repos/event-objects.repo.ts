import type { Db } from '../database.js';
import type { MessageRow } from '../tables/messages.table.js';
import type { RunRow } from '../tables/runs.table.js';
import type { RunStepRow } from '../tables/run-steps.table.js';
import type { ThreadRow } from '../tables/threads.table.js';

export type EventObjectKind = 'thread' | 'run' | 'step' | 'message';

export type EventObject =
  | { kind: 'thread'; row: ThreadRow }
  | { kind: 'run'; row: RunRow }
  | { kind: 'step'; row: RunStepRow }
  | { kind: 'message'; row: MessageRow };

/** The row an event announced, read back by id (for events too large to send whole). */
export async function loadEventObject(db: Db, kind: EventObjectKind, id: string): Promise<EventObject | undefined> {
  switch (kind) {
    case 'thread': {
      const row = await db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { kind, row };
    }
    case 'run': {
      const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { kind, row };
    }
    case 'step': {
      const row = await db.selectFrom('run_steps').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { kind, row };
    }
    case 'message': {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { kind, row };
    }
  }
}
