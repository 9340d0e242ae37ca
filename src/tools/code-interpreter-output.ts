import type { FilePathAnnotation } from 'openai/resources/beta/threads/messages';
import type { ToolCall, ToolCallsStepDetails } from 'openai/resources/beta/threads/runs/steps';
import { fromJson } from '../store/json.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import type { AnnotationSource } from './text-annotator.js';

/**
 * How code_interpreter's results reach the assistant's message, as OpenAI shows them: the figures
 * the code drew open the next message as image_file parts, and links to files it wrote
 * (`sandbox:/mnt/data/report.csv`) carry file_path annotations.
 */

/** The figures one code_interpreter call drew, as image file ids. */
export function callImages(call: ToolCall): string[] {
  if (call.type !== 'code_interpreter') return [];
  return (call.code_interpreter.outputs ?? []).flatMap((out) => (out.type === 'image' ? [out.image.file_id] : []));
}

/** Files the run's code wrote: `/mnt/data/<path>` → file id (a later write of the same path wins). */
function writtenFiles(steps: RunStepRow[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const step of steps) {
    if (step.type !== 'tool_calls' || !step.tool_outputs?.includes(':files')) continue;
    for (const [key, value] of Object.entries(fromJson<Record<string, string>>(step.tool_outputs, {}))) {
      if (!key.endsWith(':files')) continue;
      for (const f of fromJson<Array<{ path: string; fileId: string }>>(value, [])) files.set(f.path, f.fileId);
    }
  }
  return files;
}

// A path runs to whitespace, a quote, a bracket or a closing parenthesis (Markdown links).
const PATH = /(sandbox:)?\/mnt\/data\/[^\s"'<>()[\]`]+/g;

function decode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function pathAnnotations(text: string, files: Map<string, string>): FilePathAnnotation[] {
  const annotations: FilePathAnnotation[] = [];
  for (const m of text.matchAll(PATH)) {
    let matched = m[0];
    let fileId: string | undefined;
    // Sentence punctuation right after a path is not part of it.
    while (matched.length > 0) {
      fileId = files.get(decode(matched.replace(/^sandbox:/, '')));
      if (fileId || !/[.,;:!?]$/.test(matched)) break;
      matched = matched.slice(0, -1);
    }
    if (!fileId) continue;
    annotations.push({
      type: 'file_path',
      text: matched,
      start_index: m.index,
      end_index: m.index + matched.length,
      file_path: { file_id: fileId },
    });
  }
  return annotations;
}

/** file_path annotations for the links and paths in `text` that name files the run's code wrote. */
export function filePathAnnotations(text: string, steps: RunStepRow[]): FilePathAnnotation[] {
  const files = writtenFiles(steps);
  return files.size === 0 ? [] : pathAnnotations(text, files);
}

const PREFIXES = ['sandbox:/mnt/data/', '/mnt/data/'];
const ENDS_PATH = /["'<>()[\]`]/;
/** How far back a path still being written is looked for (a longer one streams without its annotation held back). */
const MAX_PATH = 1024;

/** Where a path that may still grow starts in streamed text: one running to the end, or the start of one. */
function openPath(text: string): number {
  let from = text.length;
  const stop = Math.max(0, text.length - MAX_PATH);
  while (from > stop && !/\s/.test(text[from - 1]!) && !ENDS_PATH.test(text[from - 1]!)) from--;
  const tail = text.slice(from);
  for (const m of tail.matchAll(PATH)) if (m.index + m[0].length === tail.length) return from + m.index;
  for (let n = Math.min(tail.length, PREFIXES[0]!.length); n > 0; n--)
    if (PREFIXES.some((p) => p.startsWith(tail.slice(-n)))) return text.length - n;
  return -1;
}

/** file_path annotations for streamed text, or null when the run's code has written no file. */
export function filePathSource(steps: RunStepRow[]): AnnotationSource | null {
  const files = writtenFiles(steps);
  return files.size === 0 ? null : { find: (text) => pathAnnotations(text, files), openFrom: openPath };
}
