import assert from 'node:assert/strict';

/**
 * Polls `fn` until `ok` holds or the deadline passes, and returns the last value (the caller's
 * assertion then fails with it). Tests wait for state this way, never with a fixed sleep.
 */
export async function until<T>(fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Polls `check` until it holds; fails with `timed out waiting for <what>` when the deadline passes first. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  assert.ok(await until(check, (done) => done, ms), `timed out waiting for ${what}`);
}
