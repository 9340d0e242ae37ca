import type { FileCitationAnnotation } from 'openai/resources/beta/threads/messages';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import { fromJson } from '../store/json.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { AnnotationSource } from './text-annotator.js';

const MARKER = /【(\d+):(\d+)†([^】]*)】/g;
/** Longer than any marker a model copies (`【12:3†a-long-file-name.pdf】`): an open `【` further back is just text. */
const MAX_MARKER = 256;

/** The file of each file_search result of a run, by `call:result` (the numbering of citation markers). */
function resultFiles(steps: RunStepRow[]): Map<string, string> {
  const files = new Map<string, string>();
  let callIndex = 0;
  for (const step of steps) {
    if (step.type !== 'tool_calls') continue;
    for (const call of fromJson<{ tool_calls?: ToolCall[] }>(step.step_details, {}).tool_calls ?? []) {
      if (call.type === 'function') continue;
      if (call.type === 'file_search')
        (call.file_search.results ?? []).forEach((r, i) => files.set(`${callIndex}:${i}`, r.file_id));
      callIndex++;
    }
  }
  return files;
}

function citationsIn(text: string, files: Map<string, string>): FileCitationAnnotation[] {
  if (!text.includes('【')) return [];
  const annotations: FileCitationAnnotation[] = [];
  for (const m of text.matchAll(MARKER)) {
    const fileId = files.get(`${m[1]}:${m[2]}`);
    if (!fileId) continue;
    annotations.push({
      type: 'file_citation',
      text: m[0],
      start_index: m.index,
      end_index: m.index + m[0].length,
      file_citation: { file_id: fileId },
    });
  }
  return annotations;
}

/**
 * file_citation annotations for the markers the model copied from file_search results into its
 * answer, as OpenAI shows them: the marker text, where it stands, and the cited file.
 */
export function fileCitations(text: string, steps: RunStepRow[]): FileCitationAnnotation[] {
  return text.includes('【') ? citationsIn(text, resultFiles(steps)) : [];
}

/** Where a marker that is still being written starts: the first `【` after the last `】`, if recent. */
function openMarker(text: string): number {
  const open = text.indexOf('【', text.lastIndexOf('】') + 1);
  return open >= 0 && text.length - open <= MAX_MARKER ? open : -1;
}

/** Citations for streamed text, or null when the run has no file_search result to cite. */
export function citationSource(steps: RunStepRow[]): AnnotationSource | null {
  const files = resultFiles(steps);
  if (files.size === 0) return null;
  return { find: (text) => citationsIn(text, files), openFrom: openMarker };
}
