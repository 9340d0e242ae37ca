import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { citationSource } from './citations.js';
import { filePathSource } from './code-interpreter-output.js';
import { TextAnnotator } from './text-annotator.js';

/** An annotator for the next message of a run whose tool calls so far are `steps`. */
export function messageAnnotator(steps: RunStepRow[]): TextAnnotator {
  return new TextAnnotator([citationSource(steps), filePathSource(steps)]);
}
