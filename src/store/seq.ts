/**
 * Creation-order keys: microseconds since the epoch, bumped by one when two objects are created in
 * the same microsecond, so they are unique and increasing within a process. Lists and the order of a
 * thread's messages sort by them (ids are random and created_at has one-second resolution).
 */
let last = 0;

export function nextSeq(nowMs: number = Date.now()): number {
  const candidate = Math.floor(nowMs * 1000);
  last = candidate > last ? candidate : last + 1;
  return last;
}
