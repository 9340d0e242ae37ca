import type { FileCitationAnnotation } from 'openai/resources/beta/threads/messages';
import type { ToolCall } from 'openai/resources/beta/threads/runs/steps';
import { fromJson } from '../store/json.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';

const MARKER = /【(\d+):(\d+)†([^】]*)】/g;

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

/**
 * file_citation annotations for the markers the model copied from file_search results into its
 * answer, as OpenAI shows them: the marker text, where it stands, and the cited file.
 */
export function fileCitations(text: string, steps: RunStepRow[]): FileCitationAnnotation[] {
  if (!text.includes('【')) return [];
  const files = resultFiles(steps);
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
