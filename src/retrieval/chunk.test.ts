import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, encode } from 'gpt-tokenizer';
import { InvalidChunkingStrategyError, chunkText, resolveChunkingStrategy } from './chunk.js';

const SENTENCES = [
  'The warehouse in Rotterdam ships orders every weekday before noon.',
  'Customers may return unopened items within thirty days of delivery.',
  'Our support team answers questions by email and by phone.',
  'Invoices are issued in euros and include value added tax.',
];

/** A text of `n` o200k tokens (the tests assert it re-encodes to exactly `n`). */
function textOfTokens(n: number): { text: string; tokens: number[] } {
  const long = Array.from({ length: n }, (_, i) => `${SENTENCES[i % SENTENCES.length]} (${i})`).join(' ');
  const text = decode(encode(long).slice(0, n));
  return { text, tokens: encode(text) };
}

describe('chunkText', () => {
  const { text, tokens } = textOfTokens(2000);

  it('should chunk a text that mentions special tokens such as <|endoftext|> as plain text', () => {
    const chunks = chunkText('Models end a document with <|endoftext|> and chat turns with <|im_end|>.');
    assert.equal(chunks.length, 1);
    assert.equal(chunks[0]!.text, 'Models end a document with <|endoftext|> and chat turns with <|im_end|>.');
  });

  it('should give a long run without spaces the same windows as ordinary text, a slice at a time', () => {
    const run = 'ab'.repeat(20_000);
    const chunks = chunkText(run, { maxTokens: 800, overlapTokens: 0 });
    assert.equal(chunks.map((c) => c.text).join(''), run);
    assert.ok(chunks.every((c) => c.tokens <= 800));
  });

  it('should start 800-token windows every 400 tokens by default', () => {
    assert.equal(tokens.length, 2000);
    const chunks = chunkText(text);
    assert.deepEqual(
      chunks.map((c) => [c.index, c.tokens]),
      [
        [0, 800],
        [1, 800],
        [2, 800],
        [3, 800],
      ],
    );
    chunks.forEach((chunk, i) => assert.equal(chunk.text, decode(tokens.slice(i * 400, i * 400 + 800))));
  });

  it('should end with the window that reaches the end of the text', () => {
    const chunks = chunkText(text);
    assert.ok(chunks.at(-1)!.text.endsWith(text.slice(-40)));
    const longer = textOfTokens(2001);
    assert.equal(longer.tokens.length, 2001);
    const more = chunkText(longer.text);
    assert.deepEqual(
      more.map((c) => c.tokens),
      [800, 800, 800, 800, 401],
    );
    assert.equal(more.at(-1)!.text, decode(longer.tokens.slice(1600)));
  });

  it('should repeat the overlapping tokens in consecutive chunks', () => {
    const [first, second] = chunkText(text);
    const overlap = decode(tokens.slice(400, 800));
    assert.ok(first!.text.endsWith(overlap));
    assert.ok(second!.text.startsWith(overlap));
  });

  it('should honour a static size and overlap', () => {
    const chunks = chunkText(text, { maxTokens: 500, overlapTokens: 0 });
    assert.deepEqual(
      chunks.map((c) => c.tokens),
      [500, 500, 500, 500],
    );
    assert.equal(chunks.map((c) => c.text).join(''), text);
  });

  it('should return one chunk for a short text and none for an empty one', () => {
    assert.deepEqual(chunkText('Hello, world.'), [{ index: 0, text: 'Hello, world.', tokens: 4 }]);
    assert.deepEqual(chunkText(''), []);
    assert.deepEqual(chunkText('  \n\t '), []);
  });

  it('should not leave replacement characters where a window splits a character', () => {
    const emoji = '🎉'.repeat(300); // several tokens per emoji
    for (const chunk of chunkText(emoji, { maxTokens: 101, overlapTokens: 50 })) {
      assert.ok(!chunk.text.includes('\uFFFD'), JSON.stringify(chunk.text.slice(0, 10)));
    }
  });

  it('should reject sizes outside OpenAI limits, naming the field', () => {
    const rejects = (maxTokens: number, overlapTokens: number, param: string) =>
      assert.throws(
        () => chunkText('x', { maxTokens, overlapTokens }),
        (err: unknown) => err instanceof RangeError && err instanceof InvalidChunkingStrategyError && err.param === param && err.message.includes(param),
      );
    rejects(99, 0, 'chunking_strategy.static.max_chunk_size_tokens');
    rejects(4097, 0, 'chunking_strategy.static.max_chunk_size_tokens');
    rejects(800.5, 0, 'chunking_strategy.static.max_chunk_size_tokens');
    rejects(800, 401, 'chunking_strategy.static.chunk_overlap_tokens');
    rejects(100, -1, 'chunking_strategy.static.chunk_overlap_tokens');
    assert.equal(chunkText('x', { maxTokens: 100, overlapTokens: 50 }).length, 1);
    assert.equal(chunkText('x', { maxTokens: 4096, overlapTokens: 2048 }).length, 1);
  });
});

describe('resolveChunkingStrategy', () => {
  it('should give 800/400 for auto or no strategy', () => {
    assert.deepEqual(resolveChunkingStrategy(), { maxTokens: 800, overlapTokens: 400 });
    assert.deepEqual(resolveChunkingStrategy({ type: 'auto' }), { maxTokens: 800, overlapTokens: 400 });
  });

  it('should take a valid static strategy and validate it', () => {
    const strategy = (max: number, overlap: number) =>
      ({ type: 'static', static: { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap } }) as const;
    assert.deepEqual(resolveChunkingStrategy(strategy(1200, 300)), { maxTokens: 1200, overlapTokens: 300 });
    assert.throws(() => resolveChunkingStrategy(strategy(50, 0)), /max_chunk_size_tokens/);
    assert.throws(() => resolveChunkingStrategy(strategy(1000, 600)), /chunk_overlap_tokens/);
  });
});
