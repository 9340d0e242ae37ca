import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { messageAnnotator as annotatorOf } from '../engine/tool-history.js';
import { citationSource, fileCitations } from './citations.js';
import { filePathAnnotations, filePathSource } from './code-interpreter-output.js';
import { createToolRegistry } from './registry.js';
import type { Tool } from './tool.js';

/** file_search and code_interpreter as the engine's annotator sees them (the real tools need a store and a sandbox). */
const annotating = (type: string, annotations: Tool['annotations']): Tool => ({
  type,
  definition: () => ({ type: 'function', function: { name: type } }),
  annotations,
  assistants: { start: ({ id, name }) => ({ id, type: 'function', function: { name, arguments: '', output: null } }), arguments: () => undefined },
});
const tools = createToolRegistry([annotating('file_search', citationSource), annotating('code_interpreter', filePathSource)]);
const messageAnnotator = (steps: RunStepRow[]) => annotatorOf(tools, steps);

const toolStep = (calls: unknown[], outputs: Record<string, string>): RunStepRow =>
  ({
    id: 'step_1',
    type: 'tool_calls',
    step_details: JSON.stringify({ type: 'tool_calls', tool_calls: calls }),
    tool_outputs: JSON.stringify(outputs),
  }) as RunStepRow;

/** A file_search call with two results, then code that wrote /mnt/data/out put.csv. */
const STEPS = [
  toolStep([{ id: 'fs', type: 'file_search', file_search: { results: [{ file_id: 'file-a' }, { file_id: 'file-b' }] } }], { fs: '…' }),
  toolStep([{ id: 'ci', type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }], {
    ci: '…',
    'ci:files': JSON.stringify([{ path: '/mnt/data/out put.csv', fileId: 'file-out' }]),
  }),
];
const TEXT = 'Argon 【0:1†b.txt】 per 【0:0†a.txt】【9:9†none】; [csv](sandbox:/mnt/data/out%20put.csv), /mnt/data/out%20put.csv. 【unclosed';

function streamed(pieces: string[]) {
  const annotator = messageAnnotator(STEPS);
  const deltas = [...pieces.map((p) => annotator.push(p)), annotator.flush()].filter((d) => d !== null);
  return { annotator, deltas };
}

describe('messageAnnotator', () => {
  it('should find, however the text is split, the annotations of the whole text, each complete in the delta that carries it', () => {
    const whole = [...fileCitations(TEXT, STEPS), ...filePathAnnotations(TEXT, STEPS)].sort((a, b) => a.start_index - b.start_index);
    assert.equal(whole.length, 4);
    for (let i = 0; i <= TEXT.length; i++) {
      for (const j of [i, i + 1, i + 7, i + 20]) {
        const { annotator, deltas } = streamed([TEXT.slice(0, i), TEXT.slice(i, Math.min(j, TEXT.length)), TEXT.slice(Math.min(j, TEXT.length))]);
        assert.equal(annotator.text, TEXT);
        assert.deepEqual(annotator.annotations, whole, `split at ${i}, ${j}`);
        let sent = '';
        for (const d of deltas) {
          sent += d.value;
          for (const a of d.annotations) assert.equal(sent.slice(a.start_index, a.end_index), a.text);
        }
        assert.equal(sent, TEXT);
      }
    }
  });

  it('should hold back a sandbox link until the text after it ends it', () => {
    const { deltas } = streamed(['See sand', 'box:/mnt/data/out%20put', '.csv', ' now']);
    assert.deepEqual(
      deltas.map((d) => [d.value, d.annotations.length]),
      [
        ['See ', 0],
        ['sandbox:/mnt/data/out%20put.csv now', 1],
      ],
    );
  });

  it('should hold nothing back for a run with nothing to cite', () => {
    const annotator = messageAnnotator([]);
    assert.deepEqual(annotator.push('see 【0:0†a.txt】 and sandbox:/mnt/da'), { value: 'see 【0:0†a.txt】 and sandbox:/mnt/da', annotations: [] });
  });
});
