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

/** A table's identity: its first three column names (a column added later, e.g. a verdict, keeps it). */
const identity = (header: string) => cells(header).slice(0, 3).join('|');

/**
 * `next` with the rows of `previous`'s tables that `next` lacks (tables matched by their first three columns, rows by
 * dialect, size and mode), their dialect cell marked "(earlier run <date>)": appended to the same table when its
 * columns are unchanged, else under their old header at the end.
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
  const kept: string[] = [];
  for (const old of tables(previous)) {
    const t = nextTables.find((n) => identity(n.header) === identity(old.header));
    const have = new Set((t?.rows ?? []).map((r) => keyOf(t!.header, r)));
    const missing = old.rows.filter((r) => !have.has(keyOf(old.header, r))).map((r) => mark(old.header, r));
    if (missing.length === 0) continue;
    if (t && t.header === old.header && t.rows.length > 0) out = out.replace(t.rows.join('\n'), [...t.rows, ...missing].join('\n'));
    else kept.push([old.header, old.header.replace(/[^|]+/g, '---'), ...missing].join('\n'));
  }
  if (kept.length === 0) return out;
  return `${out}\n\n#### Not remeasured by this run (from the run of ${date})\n\n${kept.join('\n\n')}`;
}
