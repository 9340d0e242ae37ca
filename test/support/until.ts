/**
 * Polls `fn` until `ok` holds or the deadline passes, and returns the last value (the caller's
 * assertion then fails with it). Tests wait for state this way, never with a fixed sleep.
 */
export async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}
