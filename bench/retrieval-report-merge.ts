// A partial run of bench/retrieval.bench.ts (some scales, no pipeline) must not drop the rows it did not remeasure from
// BENCHMARKS.md: they are carried over from the block it replaces, marked with the run they come from.
import { existsSync, readFileSync } from 'node:fs';

/** The generated block `id` of the markdown file at `path`, without its markers; undefined when absent. */
export function readBlock(path: string, id: string): string | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(`<!-- ${id}:start`);
  const end = text.indexOf(`<!-- ${id}:end -->`);
  if (start < 0 || end < start) return undefined;
  return text.slice(text.indexOf('\n', start) + 1, end).trimEnd();
}

interface Table {
  header: string;
  rows: string[];
}

/** Every markdown table of `block`: its header line and its rows. */
function tables(block: string): Table[] {
  const lines = block.split('\n');
  const out: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !lines[i + 1]!.startsWith('|---')) continue;
    const rows: string[] = [];
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) rows.push(lines[j]!);
    out.push({ header: lines[i]!, rows });
    i += 1 + rows.length;
  }
  return out;
}

const cells = (row: string) => row.split('|').slice(1, -1).map((c) => c.trim().replace(/\*\*/g, ''));
/** A row's identity: its dialect, size and mode cells (whichever the table has). */
function keyOf(header: string, row: string): string {
  const names = cells(header);
  const values = cells(row);
  return names.flatMap((n, i) => (['dialect', 'chunks', 'chunks in store', 'mode'].includes(n) ? [values[i]!.replace(/ \(earlier run[^)]*\)$/, '')] : [])).join('|');
}

/**
 * `next` with the rows of `previous`'s tables that `next` lacks (same header; rows told apart by dialect, size and mode)
 * appended to them, their dialect cell marked "(earlier run <date>)", and `previous`'s tables that `next` lacks whole.
 */
export function keepEarlierRows(next: string, previous: string | undefined): string {
  if (!previous) return next;
  const date = /^- Date: (\S+)/m.exec(previous)?.[1]?.slice(0, 10) ?? 'unknown date';
  const mark = (header: string, row: string) => {
    const i = cells(header).indexOf('dialect');
    if (i < 0 || / \(earlier run/.test(cells(row)[i]!)) return row;
    const parts = row.split('|');
    parts[i + 1] = ` ${parts[i + 1]!.trim()} (earlier run ${date}) `;
    return parts.join('|');
  };
  const nextTables = tables(next);
  let out = next;
  for (const t of nextTables) {
    const old = tables(previous).find((p) => p.header === t.header);
    if (!old || t.rows.length === 0) continue;
    const have = new Set(t.rows.map((r) => keyOf(t.header, r)));
    const carried = old.rows.filter((r) => !have.has(keyOf(t.header, r))).map((r) => mark(t.header, r));
    if (carried.length > 0) out = out.replace(t.rows.join('\n'), [...t.rows, ...carried].join('\n'));
  }
  const missing = tables(previous).filter((p) => !nextTables.some((t) => t.header === p.header));
  if (missing.length === 0) return out;
  const kept = missing.map((t) => [t.header, t.header.replace(/[^|]+/g, '---'), ...t.rows.map((r) => mark(t.header, r))].join('\n'));
  return `${out}\n\n#### Not remeasured by this run (from the run of ${date})\n\n${kept.join('\n\n')}`;
}
