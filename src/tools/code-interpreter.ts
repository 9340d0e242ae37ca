import type { CodeInterpreterToolCall } from 'openai/resources/beta/threads/runs/steps';
import type { ResponseCodeInterpreterToolCall, ResponseOutputItem } from 'openai/resources/responses/responses';
import type { MeterSink } from '../metering/usage-event.js';
import type { ModelTool } from '../providers/chat-model.js';
import { SandboxBusyError, SandboxUnavailableError, inputFileNames, type InputFile, type SessionPool } from '../sandbox/session-pool.js';
import { readSessionFile } from '../sandbox/session-files.js';
import { callImages, filePathSource } from './code-interpreter-output.js';
import {
  ToolUnavailableError,
  callItemId,
  type AssistantsToolView,
  type ResponsesToolView,
  type Tool,
  type ToolContext,
  type ToolRunContext,
} from './tool.js';

/** What code_interpreter needs of the files service. */
export interface CodeInterpreterFiles {
  /** The run's input files: tool_resources.code_interpreter.file_ids and message attachments for the tool. */
  inputs(ctx: ToolRunContext): Promise<Array<{ fileId: string; filename: string }>>;
  read(tenantId: string, fileId: string): Promise<Buffer>;
  /** Stores what the code made as the tenant's file (purpose `assistants_output`). */
  save(tenantId: string, filename: string, bytes: Buffer): Promise<{ fileId: string }>;
  /** Remembers that the thread's session wrote /mnt/data/`path` as the File `fileId`. */
  remember(ctx: ToolRunContext, path: string, fileId: string): Promise<void>;
  /** What the thread's sessions wrote (still existing Files), for a new session to start with. */
  written(ctx: ToolRunContext): Promise<Array<{ fileId: string; path: string }>>;
}

export interface CodeInterpreterOptions {
  /** Largest file the code writes that becomes a File. */
  maxFileBytes: number;
  /** Files a single call may turn into Files (the rest are listed as skipped). */
  maxFilesPerCall?: number;
  /** How often streamed output is sent as a step delta. */
  flushMs?: number;
  /** Meters a session each time a call had to start one (a thread's first call, or after its session ended). */
  meter?: MeterSink;
  now?: () => number;
}

const DESCRIPTION =
  'Runs Python 3 in a stateful sandbox, like a Jupyter notebook: variables, imports and files persist between calls in ' +
  'the same conversation. numpy, pandas and matplotlib are installed; there is no internet access. The value of the ' +
  "cell's last expression is shown, as are print() output and errors. Figures left open (matplotlib) are shown to the " +
  'user as images. The working directory is /mnt/data: files the user provided are there, and files you save there ' +
  'are given to the user; link to them in your answer as sandbox:/mnt/data/<name>.';

function parseCode(args: string): string {
  try {
    const parsed = JSON.parse(args || '{}') as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { code?: unknown }).code === 'string')
      return (parsed as { code: string }).code;
    if (typeof parsed === 'string') return parsed;
  } catch {
    // Some models send the code itself rather than JSON.
  }
  return args;
}

/** What the model reads back: the output, then what became of figures and files, and any restart. */
function modelOutput(r: {
  output: string;
  images: number;
  files: string[];
  skipped: string[];
  ended?: string;
}): string {
  const parts: string[] = [];
  parts.push(r.output || (r.images || r.files.length ? '' : '[The code ran with no output.]'));
  if (r.images) parts.push(`[${r.images} figure${r.images > 1 ? 's were' : ' was'} shown to the user.]`);
  if (r.files.length)
    parts.push(`[Files written, available to the user: ${r.files.map((f) => `sandbox:/mnt/data/${f}`).join(', ')}]`);
  if (r.skipped.length) parts.push(`[Not given to the user (too large or not a regular file): ${r.skipped.join(', ')}]`);
  if (r.ended)
    parts.push(`[The Python session was stopped: ${r.ended}. Its variables are lost; files in /mnt/data are kept.]`);
  return parts.filter(Boolean).join('\n');
}

/** code_interpreter's calls in Assistants step deltas: the code as it is written, then its output. */
export const codeInterpreterView: AssistantsToolView = {
  start: ({ id }) => ({ id, type: 'code_interpreter', code_interpreter: { input: '', outputs: [] } }),
  arguments: ({ input }) => (input ? { type: 'code_interpreter', code_interpreter: { input } } : undefined),
  progress: (p) => ({
    type: 'code_interpreter',
    code_interpreter: {
      outputs: [p.kind === 'logs' ? { index: p.output, type: 'logs', logs: p.logs } : { index: p.output, type: 'image', image: { file_id: p.fileId } }],
    },
  }),
};

/** The include value that shows a code_interpreter_call's outputs in the Responses API. */
export const RESPONSES_CODE_OUTPUTS = 'code_interpreter_call.outputs';

const asCodeCall = (item: ResponseOutputItem): ResponseCodeInterpreterToolCall | undefined =>
  item.type === 'code_interpreter_call' ? item : undefined;

/** A recorded call's outputs as a Responses code_interpreter_call shows them: an image by its file's content URL. */
const toOutputs = (call: CodeInterpreterToolCall): NonNullable<ResponseCodeInterpreterToolCall['outputs']> =>
  call.code_interpreter.outputs.map((o) =>
    o.type === 'logs' ? { type: 'logs', logs: o.logs } : { type: 'image', url: `/v1/files/${o.image.file_id}/content` },
  );

/**
 * code_interpreter's calls in the Responses API, a `code_interpreter_call` item in the thread's container: the code
 * as the model writes it, interpreting once written, completed with the step (outputs only when `include` asks).
 */
export const codeInterpreterResponsesView: ResponsesToolView = {
  start: ({ id }, { containerId }) => ({
    item: { id: callItemId('ci', id), type: 'code_interpreter_call', code: '', container_id: containerId, outputs: null, status: 'in_progress' },
    events: [{ type: 'response.code_interpreter_call.in_progress' }],
  }),
  arguments: (item, { input }) => {
    const call = asCodeCall(item);
    if (!call || !input) return { item, events: [] };
    return { item: { ...call, code: (call.code ?? '') + input }, events: [{ type: 'response.code_interpreter_call_code.delta', delta: input }] };
  },
  called: (item, { arguments: args }) => {
    const call = asCodeCall(item);
    if (!call) return { item, events: [] };
    const code = call.code || parseCode(args);
    return {
      item: { ...call, code, status: 'interpreting' },
      events: [{ type: 'response.code_interpreter_call_code.done', code }, { type: 'response.code_interpreter_call.interpreting' }],
    };
  },
  done: (item, record, include) => {
    const call = asCodeCall(item);
    if (!call) return { item, events: [] };
    if (record?.type !== 'code_interpreter') return { item: { ...call, status: 'incomplete' }, events: [] };
    const outputs = include.includes(RESPONSES_CODE_OUTPUTS) ? toOutputs(record) : null;
    return {
      item: { ...call, code: record.code_interpreter.input, outputs, status: 'completed' },
      events: [{ type: 'response.code_interpreter_call.completed' }],
    };
  },
};

/**
 * code_interpreter: the model gets a `code_interpreter({code})` function; the server runs the code
 * in the thread's sandboxed Python session (see sandbox/), streams its output into the step, and
 * turns figures into image files and written files into `assistants_output` Files.
 */
export function createCodeInterpreterTool(pool: SessionPool, files: CodeInterpreterFiles, opts: CodeInterpreterOptions): Tool {
  const definition = (extra = ''): ModelTool => ({
    type: 'function',
    function: {
      name: 'code_interpreter',
      description: DESCRIPTION + extra,
      parameters: {
        type: 'object',
        properties: { code: { type: 'string', description: 'The Python code to run.' } },
        required: ['code'],
      },
    },
  });
  const maxFilesPerCall = opts.maxFilesPerCall ?? 20;
  const flushMs = opts.flushMs ?? 100;

  return {
    type: 'code_interpreter',
    definition: () => definition(),
    async definitionFor(_tool, ctx) {
      const inputs = await files.inputs(ctx);
      if (inputs.length === 0) return definition();
      const names = inputFileNames(inputs);
      return definition(`\nFiles in /mnt/data: ${[...names.values()].map((n) => `/mnt/data/${n}`).join(', ')}.`);
    },
    inputField: 'code',
    // The session's files: those the thread's messages attach, and those earlier calls wrote (files.remember).
    needsStoredThread: true,
    replay: (call, args) =>
      call.type === 'code_interpreter'
        ? { name: 'code_interpreter', arguments: JSON.stringify({ code: call.code_interpreter.input }) }
        : { name: call.type, arguments: args ?? '{}' },
    images: callImages,
    annotations: filePathSource,
    assistants: codeInterpreterView,
    responses: codeInterpreterResponsesView,
    async execute(call, ctx: ToolContext) {
      const code = parseCode(call.arguments);
      const listed = await files.inputs(ctx);
      const names = inputFileNames(listed);
      const inputs: InputFile[] = [...names].map(([fileId, name]) => ({ fileId, name, read: () => files.read(ctx.tenantId, fileId) }));

      // Output streams as step deltas, a few per second at most.
      let buffered = '';
      let timer: NodeJS.Timeout | undefined;
      const flush = () => {
        timer = undefined;
        if (!buffered) return;
        ctx.emit({ output: 0, kind: 'logs', logs: buffered });
        buffered = '';
      };
      let result;
      try {
        result = await pool.exec(`${ctx.tenantId}/${ctx.threadId}`, code, {
          inputs,
          // A session new here (another instance ran the thread before, a restart, an idle end) gets the files back.
          restore: async () =>
            (await files.written(ctx)).map((w) => ({ fileId: w.fileId, name: w.path, read: () => files.read(ctx.tenantId, w.fileId) })),
          signal: ctx.abortSignal,
          onOutput: (text) => {
            buffered += text;
            timer ??= setTimeout(flush, flushMs);
          },
        });
      } catch (err) {
        clearTimeout(timer);
        if (err instanceof SandboxUnavailableError) throw new ToolUnavailableError(err.message);
        if (err instanceof SandboxBusyError) {
          const toolCall: CodeInterpreterToolCall = {
            id: call.id,
            type: 'code_interpreter',
            code_interpreter: { input: code, outputs: [{ type: 'logs', logs: err.message }] },
          };
          return { output: err.message, toolCall };
        }
        throw err;
      }
      clearTimeout(timer);
      if (result.fresh)
        opts.meter?.meter({
          tenantId: ctx.tenantId,
          apiKeyId: ctx.apiKeyId ?? '',
          meter: 'code_interpreter_sessions',
          subject: '',
          at: opts.now?.() ?? Date.now(),
          quantity: 1,
        });
      // A cancelled run (or a shutdown) stopped the code: the step ends with the run, not as a result.
      if (ctx.abortSignal.aborted) throw ctx.abortSignal.reason ?? new Error('aborted');
      flush();

      const outputs: CodeInterpreterToolCall.CodeInterpreter['outputs'] = [];
      if (result.output) outputs.push({ type: 'logs', logs: result.output });
      for (const [i, png] of result.images.entries()) {
        const { fileId } = await files.save(ctx.tenantId, `figure-${call.id.slice(-8)}-${i + 1}.png`, png);
        const index = outputs.length;
        outputs.push({ type: 'image', image: { file_id: fileId } });
        ctx.emit({ output: index, kind: 'image', fileId });
      }
      const inputNames = new Set(names.values());
      const written: Array<{ path: string; fileId: string }> = [];
      const skipped: string[] = [];
      for (const rel of result.files) {
        if (inputNames.has(rel) || rel.startsWith('.switchboard-')) continue;
        const bytes = written.length < maxFilesPerCall ? await readSessionFile(result.dir, rel, opts.maxFileBytes) : undefined;
        if (!bytes) {
          skipped.push(rel);
          continue;
        }
        const { fileId } = await files.save(ctx.tenantId, rel.split('/').pop()!, bytes);
        await files.remember(ctx, rel, fileId);
        written.push({ path: `/mnt/data/${rel}`, fileId });
      }
      const toolCall: CodeInterpreterToolCall = { id: call.id, type: 'code_interpreter', code_interpreter: { input: code, outputs } };
      const output = modelOutput({
        output: result.output,
        images: result.images.length,
        files: written.map((w) => w.path.slice('/mnt/data/'.length)),
        skipped,
        ended: result.ended,
      });
      return { output, toolCall, files: written };
    },
  };
}
