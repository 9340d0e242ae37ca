import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

/**
 * Every answer is framed by one set of encoders (issue 11, item 1): the `[DONE]` frames live only in
 * streaming/sse.ts, and a chat.completion object is composed only in streaming/chat-completion.ts.
 * This walks src/ (tests excluded) and reads the code, not the comments, so a second way to frame an
 * answer fails here.
 */
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FRAMING = 'streaming/sse.ts';
const BUILDER = 'streaming/chat-completion.ts';

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
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      // A decoder may compare a payload with '[DONE]'; only the framing module writes it.
      if (node.text.includes('data: [DONE]') || (node.text.trim() === '[DONE]' && !isComparison(node)))
        if (file !== FRAMING) at(node, `frames [DONE] itself: ${JSON.stringify(node.text)}`);
    }
    if (
      ts.isPropertyAssignment(node) &&
      node.name.getText(source) === 'object' &&
      ts.isStringLiteralLike(node.initializer) &&
      node.initializer.text === 'chat.completion' &&
      file !== BUILDER
    )
      at(node, 'builds a chat.completion itself');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('one encoder for every answer', () => {
  it("should find [DONE] frames only in streaming/sse.ts and chat.completion objects only in the builder", () => {
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
      "if (data === '[DONE]') end();",
      "// a comment may say data: [DONE] and object: 'chat.completion'",
    ].join('\n');
    assert.deepEqual(
      encoderBreaches('services/x.ts', code).map((b) => b.split(' ')[0]),
      ['services/x.ts:1', 'services/x.ts:2', 'services/x.ts:3', 'services/x.ts:4'],
    );
    assert.deepEqual(encoderBreaches(FRAMING, code), ['streaming/sse.ts:4 builds a chat.completion itself']);
    assert.deepEqual(encoderBreaches(BUILDER, code).length, 3);
  });
});
