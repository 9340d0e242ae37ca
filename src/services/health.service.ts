import type { Deps } from '../deps.js';
import { pendingMigrations } from '../store/repos/telemetry.repo.js';

/** How long /ready waits for the database before it calls it unreachable. */
export const READY_TIMEOUT_MS = 1000;

export type Readiness =
  | { ready: true; database: 'ok' }
  | { ready: false; database: 'unreachable' | 'migrations_pending'; detail: string };

function timeout(ms: number): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** Ready: the database answers within a second and has every migration this build knows applied. */
export async function readiness(deps: Pick<Deps, 'store'>, timeoutMs = READY_TIMEOUT_MS): Promise<Readiness> {
  const limit = timeout(timeoutMs);
  let pending: string[];
  try {
    pending = await Promise.race([pendingMigrations(deps.store.db), limit.promise]);
  } catch (err) {
    return { ready: false, database: 'unreachable', detail: (err as Error).message ?? String(err) };
  } finally {
    limit.clear();
  }
  if (pending.length > 0) return { ready: false, database: 'migrations_pending', detail: `not applied: ${pending.join(', ')}` };
  return { ready: true, database: 'ok' };
}
