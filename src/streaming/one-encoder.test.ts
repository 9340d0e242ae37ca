import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

/**
 * Every answer is framed by one set of encoders (issue 11, item 1): SSE frames (`data: …`, the `[DONE]`
 * frames) are written only in streaming/sse.ts, a chat.completion is composed only in
 * streaming/chat-completion.ts and a chat.completion.chunk only in streaming/chat-chunks.ts. This walks
 * src/ (tests excluded) and reads the code, not the comments, so a second way to frame an answer fails here.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FRAMING = 'streaming/sse.ts';
const BUILDER = 'streaming/chat-completion.ts';
const CHUNK_ENCODER = 'streaming/chat-chunks.ts';
/** Where each wire object may be composed. */
const OBJECT_HOME: Record<string, string> = { 'chat.completion': BUILDER, 'chat.completion.chunk': CHUNK_ENCODER };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

const isComparison = (node: ts.Node): boolean =>
  ts.isBinaryExpression(node.parent) &&
  [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(node.parent.operatorToken.kind);

/** What a file does that only the encoders may do, as `file:line what`. */
function encoderBreaches(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${what}`);
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) && file !== FRAMING) {
      // A decoder may compare a payload with '[DONE]'; only the framing module writes it.
      const done = node.text.includes('data: [DONE]') || (node.text.trim() === '[DONE]' && !isComparison(node));
      if (done) at(node, `frames [DONE] itself: ${JSON.stringify(node.text)}`);
      else if (/(^|\n)(data|event): /.test(node.text)) at(node, `frames SSE itself: ${JSON.stringify(node.text)}`);
    }
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'object' && ts.isStringLiteralLike(node.initializer)) {
      const home = OBJECT_HOME[node.initializer.text];
      if (home && file !== home) at(node, `builds a ${node.initializer.text} itself`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('one encoder for every answer', () => {
  it('should find SSE and [DONE] frames only in streaming/sse.ts, chat.completion(.chunk) objects only in their encoder', () => {
    const breaches = sourceFiles(SRC).flatMap((f) =>
      encoderBreaches(path.relative(SRC, f).split(path.sep).join('/'), readFileSync(f, 'utf8')),
    );
    assert.deepEqual(breaches, []);
  });

  it('should catch each kind of breach, and let decoders compare a payload with [DONE]', () => {
    const code = [
      "const a = 'data: [DONE]\\n\\n';",
      "w.writeEvent('done', '[DONE]');",
      'const t = `data: [DONE]\\n\\n`;',
      "const c = { id, object: 'chat.completion', choices };",
      "const k = { id, object: 'chat.completion.chunk', choices };",
      'const f = `data: ${JSON.stringify(chunk)}\\n\\n`;',
      "if (data === '[DONE]') end();",
      "// a comment may say data: [DONE] and object: 'chat.completion'",
      "const o = { object: 'thread.run', note: 'no data here' };",
    ].join('\n');
    assert.deepEqual(
      encoderBreaches('services/x.ts', code).map((b) => b.split(' ')[0]),
      ['services/x.ts:1', 'services/x.ts:2', 'services/x.ts:3', 'services/x.ts:4', 'services/x.ts:5', 'services/x.ts:6'],
    );
    assert.deepEqual(
      encoderBreaches(FRAMING, code).map((b) => b.split(' ')[0]),
      ['streaming/sse.ts:4', 'streaming/sse.ts:5'],
    );
    assert.equal(encoderBreaches(BUILDER, code).length, 5);
    assert.equal(encoderBreaches(CHUNK_ENCODER, code).length, 5);
  });
});
