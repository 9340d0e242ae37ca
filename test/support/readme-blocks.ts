import { readFileSync } from 'node:fs';
import ts from 'typescript';

/**
 * The README's ```ts blocks, and what a newcomer's project does with them: type-check each as a
 * module of its own (strict, NodeNext, against the installed `openai`), or run one against a server.
 * A block may use `client` (and `assistant`) from an earlier block; they are declared for it.
 */
export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
}

export function readmeTsBlocks(path: string): ReadmeBlock[] {
  return readmeBlocks(path, 'ts');
}

/** The README's fenced blocks of one language (```yaml, ```ts …). */
export function readmeBlocks(path: string, lang: string): ReadmeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```' + lang) continue;
    const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** What a block takes from the ones before it, declared. */
export function withPrelude(code: string): string {
  const prelude = ['export {};'];
  if (!/^import OpenAI\b/m.test(code)) prelude.push("import OpenAI from 'openai';");
  if (!/\bconst client\b/.test(code)) prelude.push('declare const client: OpenAI;');
  if (/\bassistant\b/.test(code) && !/\bconst assistant\b/.test(code)) prelude.push('declare const assistant: OpenAI.Beta.Assistant;');
  return `${prelude.join('\n')}\n${code}\n`;
}

/** tsc's diagnostics for the files, as `file:line: message` lines (empty when they type-check). */
export function typeCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** The block as the body of an async function of `client`, types stripped. */
export function asFunctionBody(code: string): string {
  const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  return js.replace(/^export \{\};$/m, '');
}
