import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens } from 'gpt-tokenizer';
import { findTokenLimitBreach, loadTokenCounter, truncateToInputLimit } from './tokens.js';

const PROSE = 'The quick brown fox jumps over the lazy dog, then naps in the shade of an old oak tree. ';

describe('token limits', () => {
  it('should count ordinary text exactly as the tokenizer does', async () => {
    const count = await loadTokenCounter();
    const text = PROSE.repeat(400) + ' déjà vu, 東京の天気は晴れです。 <|endoftext|>';
    assert.equal(count(text), countTokens(text, { allowedSpecial: new Set(), disallowedSpecial: new Set() }));
  });

  it('should find the first input over 8192 tokens, with its full count', async () => {
    assert.deepEqual(await findTokenLimitBreach(['hi', 'word '.repeat(9000), 'word '.repeat(10_000)]), { input: 1, tokens: 9001 });
    assert.deepEqual(await findTokenLimitBreach(['x', ' word'.repeat(8192)]), undefined);
  });

  it('should find a request over 300,000 tokens in all', async () => {
    assert.deepEqual(await findTokenLimitBreach(Array(41).fill('word '.repeat(7500))), { tokens: 41 * 7501 });
    assert.equal(await findTokenLimitBreach(Array(39).fill('word '.repeat(7500))), undefined);
  });

  // The tokenizer's BPE is quadratic in a run without spaces: 100k CJK characters in one piece held the event loop
  // for ~100 s. Counted in slices, a part per turn, the same check lets other requests run in between.
  it('should count a long run without spaces a part at a time, letting other work run', async () => {
    await loadTokenCounter();
    let ticks = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      ticks++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const breach = await findTokenLimitBreach(['漢'.repeat(100_000)]);
    counting = false;
    assert.deepEqual(breach, { input: 0, tokens: 100_000 });
    assert.ok(ticks >= 1, 'the event loop turned while counting');
    const [cut] = await truncateToInputLimit(['a'.repeat(200_000)]);
    assert.ok(cut!.length > 8192 && cut!.length < 200_000, `kept ${cut!.length} characters`);
  });

  it('should cut a text to its first 8192 tokens and leave shorter ones alone', async () => {
    const [cut, kept] = await truncateToInputLimit([PROSE.repeat(1000), 'short']);
    assert.equal(countTokens(cut!), 8192);
    assert.ok(PROSE.repeat(1000).startsWith(cut!));
    assert.equal(kept, 'short');
  });
});
