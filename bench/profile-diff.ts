/**
 * Self time by function of two sets of V8 CPU profiles (`node --cpu-prof`), per request, side by side: what
 * one process spends per request that the other does not. For the gateway bench's two Switchboards:
 *
 *   BENCH_ONLY=limits BENCH_SWITCHBOARD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof-{name}" npm run bench
 *   node --import tsx bench/profile-diff.ts /tmp/prof-switchboard <requests> /tmp/prof-limits <requests> [rows]
 *
 * (the bench prints the requests each served). Every profile in a directory counts (main thread and workers).
 * Functions are keyed by name, file and line; `--by=file` sums them by file instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const byFile = process.argv.includes('--by=file');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));

function keyOf(f: ProfileNode['callFrame']): string {
  const file = f.url ? basename(f.url.replace(/^file:\/\//, '')) : '';
  if (byFile) return file || `(${f.functionName || 'native'})`;
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
}

/** Self µs by function over every profile in `dir`. */
function selfTimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    const p = JSON.parse(readFileSync(join(dir, name), 'utf8')) as Profile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < p.samples.length; i++) {
      const node = byId.get(p.samples[i]!);
      if (!node || node.callFrame.functionName === '(idle)') continue;
      const k = keyOf(node.callFrame);
      out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
    }
  }
  return out;
}

const [dirA, nA, dirB, nB, rowsArg] = args;
if (!dirA || !nA || !dirB || !nB) {
  process.stderr.write('usage: profile-diff.ts <dirA> <requestsA> <dirB> <requestsB> [rows] [--by=file]\n');
  process.exit(2);
}
const a = selfTimes(dirA);
const b = selfTimes(dirB);
const perA = Number(nA);
const perB = Number(nB);
const rows = Number(rowsArg ?? 40);
const total = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
const busyA = total(a) / perA;
const busyB = total(b) / perB;
const keys = new Set([...a.keys(), ...b.keys()]);
const diff = [...keys]
  .map((k) => ({ k, a: (a.get(k) ?? 0) / perA, b: (b.get(k) ?? 0) / perB }))
  .map((r) => ({ ...r, d: r.b - r.a }))
  .sort((x, y) => Math.abs(y.d) - Math.abs(x.d));
const f = (v: number) => v.toFixed(2).padStart(8);
process.stdout.write(`busy µs/request (sampled, idle excluded): A ${busyA.toFixed(1)}, B ${busyB.toFixed(1)}, B − A ${(busyB - busyA).toFixed(1)}\n`);
process.stdout.write(`${'A µs'.padStart(8)} ${'B µs'.padStart(8)} ${'B − A'.padStart(8)}  function\n`);
for (const r of diff.slice(0, rows)) process.stdout.write(`${f(r.a)} ${f(r.b)} ${f(r.d)}  ${r.k}\n`);
