import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ENGINE = fileURLToPath(new URL('.', import.meta.url));
/** What only a tool's own module may know: built-in tool names and their markers. */
const TOOL_WORDS = ['file_search', 'code_interpreter', '【', '/mnt/data'];

describe('engine/', () => {
  it('should name no tool: the engine and the prompt builder ask the tool registry', () => {
    const sources = readdirSync(ENGINE).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    assert.ok(sources.length > 5, 'engine sources found');
    const found = sources.flatMap((f) => {
      const text = readFileSync(`${ENGINE}${f}`, 'utf8');
      return TOOL_WORDS.filter((w) => text.includes(w)).map((w) => `${f}: ${w}`);
    });
    assert.deepEqual(found, []);
  });
});
