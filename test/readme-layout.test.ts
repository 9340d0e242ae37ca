import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeBlocks } from './support/readme-blocks.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The folders the layout shows, and how deep below each: every folder of src/, the first level of the others. */
const ROOTS: Array<[string, number]> = [['src', Infinity], ['test', 1], ['bench', 1], ['scripts', 1], ['local-inference', 1]];

/** The folders under `dir` down to `depth` levels (repo-relative, with a trailing slash), but installed packages and dot folders. */
function foldersUnder(dir: string, depth: number): string[] {
  if (depth < 1) return [];
  return readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.'))
    .flatMap((e) => [`${dir}/${e.name}/`, ...foldersUnder(`${dir}/${e.name}`, depth - 1)]);
}

/** The folders the README's layout block names: `name/` at the margin, then indented `sub/` (or `sub/deeper/`) below it. */
function layoutFolders(): string[] {
  const block = readmeBlocks(join(ROOT, 'README.md'), 'text').find((b) => /^src\//m.test(b.code));
  assert.ok(block, 'no ```text block that starts a line with src/');
  let top = '';
  const folders: string[] = [];
  for (const line of block.code.split('\n')) {
    const m = /^(\s*)(\S+\/)(\s|$)/.exec(line);
    if (!m) continue;
    if (m[1] === '') folders.push((top = m[2]!));
    else folders.push(top + m[2]!);
  }
  return folders;
}

describe('README.md layout', () => {
  it('should show every folder of src/, and those of test/, bench/, scripts/ and local-inference/', () => {
    const shown = new Set(layoutFolders());
    const missing = ROOTS.flatMap(([r, depth]) => [`${r}/`, ...foldersUnder(r, depth)]).filter((f) => !shown.has(f));
    assert.deepEqual(missing, []);
  });

  it('should show only folders that exist', () => {
    assert.deepEqual(layoutFolders().filter((f) => !existsSync(join(ROOT, f))), []);
  });
});
