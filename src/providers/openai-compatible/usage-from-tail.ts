import type { CompletionUsage } from 'openai/resources/completions';

/**
 * The `usage` of a chat.completion (or any JSON object answer) read from the end of its text, without parsing the
 * whole answer: OpenAI-compatible servers write `usage` after `choices`, so the answer's last `"usage"` key is
 * near its end. The answer is `found: false` (parse it whole instead) unless all of this holds:
 *   - the text is an object (`{` first), and `"usage"` is a key of it, preceded by `{` or `,` and followed by `:`;
 *   - its value is an object (one JSON.parse of that slice) or `null`;
 *   - after the value come only `"key": <string | number | true | false | null>` pairs of the same object and its
 *     closing `}`: nothing can close a second object there, so the key belongs to the outermost one.
 * A `"usage"` inside a string is either escaped (`\"usage\"`) or not preceded by `{`/`,` and followed by `:`, or is
 * followed by more of its string, which the tail check refuses. Only the last occurrence is tried.
 */
export type TailUsage = { found: true; usage: CompletionUsage | null } | { found: false };

const NOT_FOUND: TailUsage = Object.freeze({ found: false });

/** `, "key": scalar` pairs, then the outermost object's `}`, then the end. */
const SCALAR = String.raw`(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)`;
const TAIL = new RegExp(String.raw`^(?:\s*,\s*"(?:[^"\\]|\\.)*"\s*:\s*${SCALAR})*\s*\}\s*$`);

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpaceBack(text: string, i: number): number {
  while (i >= 0 && isSpace(text.charCodeAt(i))) i--;
  return i;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index just past the object that starts at `start` (a `{`), strings skipped; -1 when it does not close. */
export function objectEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */ && --depth === 0) return i + 1;
  }
  return -1;
}

function usageValue(text: string, start: number): { usage: CompletionUsage | null; end: number } | undefined {
  if (text.startsWith('null', start)) return { usage: null, end: start + 4 };
  if (text.charCodeAt(start) !== 0x7b) return undefined;
  const end = objectEnd(text, start);
  if (end < 0) return undefined;
  try {
    return { usage: JSON.parse(text.slice(start, end)) as CompletionUsage, end };
  } catch {
    return undefined;
  }
}

export function usageFromTail(text: string): TailUsage {
  if (text.charCodeAt(skipSpace(text, 0)) !== 0x7b) return NOT_FOUND;
  const at = text.lastIndexOf('"usage"');
  if (at < 0) return NOT_FOUND;
  const before = text.charCodeAt(skipSpaceBack(text, at - 1));
  if (before !== 0x2c /* , */ && before !== 0x7b /* { */) return NOT_FOUND;
  const colon = skipSpace(text, at + 7);
  if (text.charCodeAt(colon) !== 0x3a /* : */) return NOT_FOUND;
  const value = usageValue(text, skipSpace(text, colon + 1));
  if (!value || !TAIL.test(text.slice(value.end))) return NOT_FOUND;
  return { found: true, usage: value.usage };
}
