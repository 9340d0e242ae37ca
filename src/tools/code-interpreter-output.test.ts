import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { pendingImages as pendingImagesOf } from '../engine/tool-history.js';
import { callImages, filePathAnnotations } from './code-interpreter-output.js';
import { createToolRegistry } from './registry.js';
import type { Tool } from './tool.js';

/** code_interpreter as the engine sees its images (the real tool needs a sandbox). */
const codeInterpreter: Tool = {
  type: 'code_interpreter',
  definition: () => ({ type: 'function', function: { name: 'code_interpreter' } }),
  images: callImages,
  assistants: { start: ({ id }) => ({ id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }), arguments: () => undefined },
};
const pendingImages = (steps: RunStepRow[]) => pendingImagesOf(createToolRegistry([codeInterpreter]), steps);

let seq = 0;
function step(type: RunStepRow['type'], details: unknown, toolOutputs: Record<string, string> | null = null): RunStepRow {
  return {
    id: `step_${++seq}`,
    type,
    seq,
    step_details: JSON.stringify(details),
    tool_outputs: toolOutputs ? JSON.stringify(toolOutputs) : null,
  } as RunStepRow;
}

const codeStep = (id: string, images: string[], files: Array<{ path: string; fileId: string }> = []) =>
  step(
    'tool_calls',
    {
      type: 'tool_calls',
      tool_calls: [
        {
          id,
          type: 'code_interpreter',
          code_interpreter: { input: 'x', outputs: [{ type: 'logs', logs: 'hi' }, ...images.map((file_id) => ({ type: 'image', image: { file_id } }))] },
        },
      ],
    },
    { [id]: 'out', ...(files.length ? { [`${id}:files`]: JSON.stringify(files) } : {}) },
  );
const messageStep = () => step('message_creation', { type: 'message_creation', message_creation: { message_id: 'msg_1' } });

describe('pendingImages', () => {
  it("should list the figures made since the run's last message, in order", () => {
    assert.deepEqual(pendingImages([codeStep('a', ['file-1']), messageStep(), codeStep('b', ['file-2', 'file-3']), codeStep('c', ['file-4'])]), [
      'file-2',
      'file-3',
      'file-4',
    ]);
    assert.deepEqual(pendingImages([codeStep('a', ['file-1']), messageStep()]), []);
    assert.deepEqual(pendingImages([]), []);
  });
});

describe('filePathAnnotations', () => {
  const steps = [
    codeStep('a', [], [{ path: '/mnt/data/report.csv', fileId: 'file-old' }]),
    codeStep('b', [], [
      { path: '/mnt/data/report.csv', fileId: 'file-new' },
      { path: '/mnt/data/my chart.png', fileId: 'file-chart' },
    ]),
  ];

  it('should annotate a Markdown sandbox link with the latest file written at that path', () => {
    const text = 'Download [the report](sandbox:/mnt/data/report.csv).';
    const [a, ...rest] = filePathAnnotations(text, steps);
    assert.equal(rest.length, 0);
    assert.deepEqual(a, {
      type: 'file_path',
      text: 'sandbox:/mnt/data/report.csv',
      start_index: text.indexOf('sandbox:'),
      end_index: text.indexOf('sandbox:') + 'sandbox:/mnt/data/report.csv'.length,
      file_path: { file_id: 'file-new' },
    });
  });

  it('should annotate bare paths, leave sentence punctuation out, and decode %20', () => {
    const text = 'Saved to /mnt/data/report.csv. The chart: sandbox:/mnt/data/my%20chart.png, done.';
    const found = filePathAnnotations(text, steps).map((a) => [a.text, a.file_path.file_id, text.slice(a.start_index, a.end_index)]);
    assert.deepEqual(found, [
      ['/mnt/data/report.csv', 'file-new', '/mnt/data/report.csv'],
      ['sandbox:/mnt/data/my%20chart.png', 'file-chart', 'sandbox:/mnt/data/my%20chart.png'],
    ]);
  });

  it('should ignore paths the code did not write', () => {
    assert.deepEqual(filePathAnnotations('See sandbox:/mnt/data/other.csv', steps), []);
    assert.deepEqual(filePathAnnotations('See sandbox:/mnt/data/report.csv', [codeStep('x', [])]), []);
  });
});
