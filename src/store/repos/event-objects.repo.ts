import type { Db } from '../database.js';
import { toMessageObject, toThreadObject } from '../serialize.js';
import { toRunObject, toRunStepObject } from '../serialize-runs.js';

export type EventObjectKind = 'thread' | 'run' | 'step' | 'message';

/** The wire object an event announced, read back by id (for events too large to send whole). */
export async function loadEventObject(db: Db, kind: EventObjectKind, id: string): Promise<unknown> {
  switch (kind) {
    case 'thread': {
      const row = await db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toThreadObject(row);
    }
    case 'run': {
      const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRunObject(row);
    }
    case 'step': {
      const row = await db.selectFrom('run_steps').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRunStepObject(row);
    }
    case 'message': {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toMessageObject(row);
    }
  }
}
