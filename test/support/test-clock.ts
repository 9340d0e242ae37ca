/** A test clock that can jump forward: pass it as the server's `clock`, then `advance(ms)` instead of waiting. */
export function testClock(): { now: () => number; advance: (ms: number) => number } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}
