import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createTestDatabaseUrl, testDialects } from '../../test/support/databases.js';
import { migrateToLatest, openDb, type Store } from '../store/open-db.js';
import type { Database } from '../store/database.js';
import type { NewRunRow, RunRow, RunStatus } from '../store/tables/runs.table.js';
import {
  ACTIVE_RUN_STATUSES,
  CANCELLABLE_RUN_STATUSES,
  canTransition,
  InvalidTransitionError,
  isTerminal,
  TERMINAL_RUN_STATUSES,
  transition,
  WAITING_RUN_STATUSES,
  WORKABLE_RUN_STATUSES,
} from './run-state.js';

const STATUSES: readonly RunStatus[] = [
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
];

/** OpenAI's run lifecycle, written out independently of run-state.ts. */
const ALLOWED: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['in_progress', 'cancelling', 'cancelled', 'expired', 'failed'],
  in_progress: ['requires_action', 'completed', 'failed', 'incomplete', 'cancelling', 'expired'],
  requires_action: ['queued', 'in_progress', 'cancelling', 'expired', 'failed'],
  cancelling: ['cancelled', 'failed', 'completed', 'incomplete', 'expired'],
  cancelled: [],
  failed: [],
  completed: [],
  incomplete: [],
  expired: [],
};
const TERMINAL: readonly RunStatus[] = ['cancelled', 'failed', 'completed', 'incomplete', 'expired'];

const allowedMoves = STATUSES.flatMap((from) => ALLOWED[from].map((to) => [from, to] as const));
const forbiddenMoves = STATUSES.flatMap((from) =>
  STATUSES.filter((to) => !ALLOWED[from].includes(to)).map((to) => [from, to] as const),
);

const NOW_MS = 1_750_000_123_456;
const NOW_S = 1_750_000_123;
const CREATED_S = 1_750_000_000;
const STARTED_S = 1_750_000_050;
const EXPIRES_S = 1_750_000_600;
const LEASE_MS = 1_750_000_160_000;
const REQUIRED_ACTION = JSON.stringify({
  type: 'submit_tool_outputs',
  submit_tool_outputs: { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
});

let counter = 0;

/** A run row with every NOT NULL column set; leased, with an expiry, never started. */
function runRow(status: RunStatus, overrides: Partial<NewRunRow> = {}): NewRunRow {
  counter += 1;
  return {
    id: `run_state${counter}`,
    tenant_id: 'ten_1',
    thread_id: 'thread_1',
    assistant_id: 'asst_1',
    api_key_id: 'key_1',
    seq: counter,
    created_at: CREATED_S,
    status,
    model: 'gpt-test',
    instructions: 'Be brief.',
    tools: '[]',
    tool_resources: null,
    metadata: '{}',
    temperature: null,
    top_p: null,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: null,
    response_format: null,
    tool_choice: null,
    parallel_tool_calls: 1,
    reasoning_effort: null,
    required_action: status === 'requires_action' ? REQUIRED_ACTION : null,
    last_error: null,
    incomplete_details: null,
    usage: null,
    expires_at: EXPIRES_S,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    lease_owner: 'worker_a',
    lease_expires_at: LEASE_MS,
    attempts: 1,
    ...overrides,
  };
}

describe('run-state edge table', () => {
  for (const [from, to] of allowedMoves) {
    it(`should allow ${from} → ${to}`, () => {
      assert.equal(canTransition(from, to), true);
    });
  }

  for (const [from, to] of forbiddenMoves) {
    it(`should forbid ${from} → ${to}`, () => {
      assert.equal(canTransition(from, to), false);
    });
  }

  it('should treat exactly the finished statuses as terminal', () => {
    assert.deepEqual(
      STATUSES.filter((s) => isTerminal(s)),
      TERMINAL,
    );
  });
});

describe('run status groups', () => {
  const sorted = (list: readonly RunStatus[]) => [...list].sort();

  it('should name the finished statuses terminal', () => {
    assert.deepEqual(sorted(TERMINAL_RUN_STATUSES), sorted(TERMINAL));
  });

  it('should name every other status active (it holds the thread)', () => {
    assert.deepEqual(sorted(ACTIVE_RUN_STATUSES), ['cancelling', 'in_progress', 'queued', 'requires_action']);
  });

  it('should name workable the active statuses but requires_action, which waits on the client', () => {
    assert.deepEqual(sorted(WORKABLE_RUN_STATUSES), ['cancelling', 'in_progress', 'queued']);
  });

  it('should name waiting the statuses that expire: queued and requires_action', () => {
    assert.deepEqual(sorted(WAITING_RUN_STATUSES), ['queued', 'requires_action']);
  });

  it('should name cancellable exactly the statuses with a move to cancelling', () => {
    assert.deepEqual(sorted(CANCELLABLE_RUN_STATUSES), ['in_progress', 'queued', 'requires_action']);
    for (const status of STATUSES) assert.equal(CANCELLABLE_RUN_STATUSES.includes(status), ALLOWED[status].includes('cancelling'));
  });
});

describe('transition (forbidden moves)', () => {
  for (const [from, to] of forbiddenMoves) {
    it(`should throw InvalidTransitionError for ${from} → ${to}`, async () => {
      const run = { id: 'run_x', status: from, started_at: null };
      await assert.rejects(
        // The db must not be touched: a proxy that throws on any access proves it.
        transition(new Proxy({}, { get: () => assert.fail('db used') }) as Kysely<Database>, run, to, { nowMs: NOW_MS }),
        (err: unknown) => err instanceof InvalidTransitionError && err.name === 'InvalidTransitionError',
      );
    });
  }
});

for (const dialect of testDialects()) {
  describe(`transition (${dialect})`, () => {
    let store: Store;
    let drop: () => Promise<void>;

    before(async () => {
      const created = await createTestDatabaseUrl(dialect);
      drop = created.drop;
      store = openDb(created.url);
      const { error } = await migrateToLatest(store.db);
      if (error) throw error;
      await store.db
        .insertInto('threads')
        .values({ id: 'thread_1', tenant_id: 'ten_1', seq: 1, created_at: CREATED_S, metadata: '{}', tool_resources: null })
        .execute();
    });

    after(async () => {
      await store?.db.destroy();
      await drop?.();
    });

    async function insertRun(status: RunStatus, overrides: Partial<NewRunRow> = {}): Promise<RunRow> {
      return store.db.insertInto('runs').values(runRow(status, overrides)).returningAll().executeTakeFirstOrThrow();
    }

    const reread = (id: string) => store.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    for (const [from, to] of allowedMoves) {
      it(`should move ${from} → ${to} and set its columns`, async () => {
        const run = await insertRun(from);
        const patch = to === 'requires_action' ? { required_action: REQUIRED_ACTION } : undefined;
        const moved = await transition(store.db, run, to, { nowMs: NOW_MS, patch });
        assert.ok(moved, 'transition returned undefined');
        assert.deepEqual(moved, await reread(run.id), 'returned row differs from the stored row');

        const terminal = TERMINAL.includes(to);
        const leaseCleared = terminal || to === 'requires_action';
        assert.equal(moved.status, to);
        assert.equal(moved.started_at, to === 'in_progress' ? NOW_S : null, 'started_at');
        assert.equal(moved.completed_at, to === 'completed' ? NOW_S : null, 'completed_at');
        assert.equal(moved.failed_at, to === 'failed' ? NOW_S : null, 'failed_at');
        assert.equal(moved.cancelled_at, to === 'cancelled' ? NOW_S : null, 'cancelled_at');
        assert.equal(moved.lease_owner, leaseCleared ? null : 'worker_a', 'lease_owner');
        assert.equal(moved.lease_expires_at, leaseCleared ? null : LEASE_MS, 'lease_expires_at');
        assert.equal(moved.expires_at, terminal && to !== 'expired' ? null : EXPIRES_S, 'expires_at');
        assert.equal(moved.required_action, to === 'requires_action' ? REQUIRED_ACTION : null, 'required_action');
        // Untouched columns stay as they were.
        assert.equal(moved.created_at, CREATED_S);
        assert.equal(moved.attempts, 1);
        assert.equal(moved.instructions, 'Be brief.');
      });
    }

    it('should keep started_at when a started run returns to in_progress', async () => {
      const run = await insertRun('requires_action', { started_at: STARTED_S });
      const moved = await transition(store.db, run, 'in_progress', { nowMs: NOW_MS });
      assert.equal(moved?.started_at, STARTED_S);
    });

    it('should keep started_at through later moves', async () => {
      const run = await insertRun('in_progress', { started_at: STARTED_S });
      const moved = await transition(store.db, run, 'completed', { nowMs: NOW_MS });
      assert.equal(moved?.started_at, STARTED_S);
      assert.equal(moved?.completed_at, NOW_S);
    });

    it('should write the patch with the move', async () => {
      const run = await insertRun('queued', { lease_owner: null, lease_expires_at: null });
      const moved = await transition(store.db, run, 'in_progress', {
        nowMs: NOW_MS,
        patch: { lease_owner: 'worker_b', lease_expires_at: LEASE_MS + 1, attempts: 2 },
      });
      assert.equal(moved?.lease_owner, 'worker_b');
      assert.equal(moved?.lease_expires_at, LEASE_MS + 1);
      assert.equal(moved?.attempts, 2);
    });

    it('should store last_error from the patch on failure', async () => {
      const run = await insertRun('in_progress', { started_at: STARTED_S });
      const lastError = JSON.stringify({ code: 'server_error', message: 'boom' });
      const moved = await transition(store.db, run, 'failed', { nowMs: NOW_MS, patch: { last_error: lastError } });
      assert.equal(moved?.last_error, lastError);
      assert.equal(moved?.failed_at, NOW_S);
    });

    it('should clear required_action when leaving requires_action', async () => {
      const run = await insertRun('requires_action', { started_at: STARTED_S });
      const moved = await transition(store.db, run, 'queued', { nowMs: NOW_MS });
      assert.equal(moved?.required_action, null);
    });

    it('should return undefined and change nothing when the status is stale', async () => {
      const run = await insertRun('cancelling', { started_at: STARTED_S });
      const stored = await reread(run.id);
      const stale = { ...run, status: 'in_progress' as const };
      const moved = await transition(store.db, stale, 'completed', { nowMs: NOW_MS });
      assert.equal(moved, undefined);
      assert.deepEqual(await reread(run.id), stored);
    });

    it('should let only one of two racing moves from the same status win', async () => {
      const run = await insertRun('in_progress', { started_at: STARTED_S });
      const first = await transition(store.db, run, 'cancelling', { nowMs: NOW_MS });
      const second = await transition(store.db, run, 'completed', { nowMs: NOW_MS });
      assert.equal(first?.status, 'cancelling');
      assert.equal(second, undefined);
      assert.equal((await reread(run.id)).status, 'cancelling');
    });

    it('should return undefined for a run that does not exist', async () => {
      const moved = await transition(store.db, { id: 'run_missing', status: 'queued', started_at: null }, 'in_progress', {
        nowMs: NOW_MS,
      });
      assert.equal(moved, undefined);
    });

    it('should leave the row unchanged when a forbidden move is attempted', async () => {
      const run = await insertRun('completed', { completed_at: STARTED_S, expires_at: null, lease_owner: null, lease_expires_at: null });
      const stored = await reread(run.id);
      await assert.rejects(transition(store.db, run, 'in_progress', { nowMs: NOW_MS }), InvalidTransitionError);
      assert.deepEqual(await reread(run.id), stored);
    });
  });
}
