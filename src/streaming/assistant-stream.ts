import type { AssistantStreamEvent } from 'openai/resources/beta/assistants';
import type { AnnotationDelta, Message } from 'openai/resources/beta/threads/messages';
import type { Run } from 'openai/resources/beta/threads/runs/runs';
import type { RunStep, ToolCallDelta } from 'openai/resources/beta/threads/runs/steps';
import type { EngineEvent, TextAnnotation } from '../engine/engine-events.js';
import { toMessageObject, toThreadObject } from '../store/serialize.js';
import { toRunObject, toRunStepObject } from '../store/serialize-runs.js';
import type { RunStepRow } from '../store/tables/run-steps.table.js';
import { functionTool } from '../tools/function-tool.js';
import type { AssistantsToolView, ToolCallDeltaBody, ToolRegistry } from '../tools/tool.js';

/**
 * The Assistants stream over the engine's events: each engine event becomes the `thread.*` events
 * OpenAI sends for it (none, one or two), with the SDK's wire objects. Pure: the HTTP side
 * (api/run-stream.ts) writes what this yields.
 */
export function encodeAssistantEvent(event: EngineEvent, tools: ToolRegistry): AssistantStreamEvent[] {
  switch (event.type) {
    case 'thread.created':
      return [{ event: 'thread.created', data: toThreadObject(event.thread) }];
    case 'run.created': {
      const run = toRunObject(event.run);
      return [{ event: 'thread.run.created', data: run }, runEvent(run)];
    }
    case 'run.status':
      return [runEvent(toRunObject(event.run))];
    case 'step.started': {
      const step = toAssistantStep(event.step, tools);
      return [
        { event: 'thread.run.step.created', data: step },
        { event: 'thread.run.step.in_progress', data: step },
      ];
    }
    case 'step.done': {
      const done = stepEvent(toAssistantStep(event.step, tools));
      return done ? [done] : [];
    }
    case 'message.started': {
      const message = toMessageObject(event.message);
      return [
        { event: 'thread.message.created', data: message },
        { event: 'thread.message.in_progress', data: message },
      ];
    }
    case 'message.images':
      return [messageDelta(event.messageId, event.fileIds.map((file_id, index) => ({ index, type: 'image_file', image_file: { file_id } })))];
    case 'message.text': {
      const annotations = event.annotations.map(toAnnotationDelta);
      return [messageDelta(event.messageId, [{ index: event.part, type: 'text', text: { value: event.text, annotations } }])];
    }
    case 'message.done':
      return [messageDoneEvent(toMessageObject(event.message))];
    case 'tool.call.started':
      return [stepDelta(event.stepId, event.index, viewOf(tools, event.tool).start({ id: event.callId, name: event.name }))];
    case 'tool.call.arguments': {
      const body = viewOf(tools, event.tool).arguments({ arguments: event.delta, input: event.input });
      return body ? [stepDelta(event.stepId, event.index, body)] : [];
    }
    case 'tool.progress': {
      const body = viewOf(tools, event.tool).progress?.(event.progress);
      return body ? [stepDelta(event.stepId, event.index, body)] : [];
    }
    case 'tool.call.done':
    case 'tool.output':
    case 'turn.usage':
      // The Assistants stream shows these through the step and the run objects.
      return [];
    case 'reasoning.text':
    case 'reasoning.done':
      // The Assistants API has no reasoning: OpenAI's runs never showed it.
      return [];
  }
}

/** A step as the Assistants API shows it: each tool call as its tool shows it, given `include[]`. */
export function toAssistantStep(row: RunStepRow, tools: ToolRegistry, include: readonly string[] = []): RunStep {
  return toRunStepObject(row, { showCall: (call) => viewOf(tools, call.type).shown?.(call, include) ?? call });
}

/** A neutral annotation as an Assistants text annotation delta. */
export function toAnnotationDelta(a: TextAnnotation): AnnotationDelta {
  const span = { text: a.text, start_index: a.start, end_index: a.end };
  return a.kind === 'file_citation'
    ? { index: a.index, type: 'file_citation', ...span, file_citation: { file_id: a.fileId } }
    : { index: a.index, type: 'file_path', ...span, file_path: { file_id: a.fileId } };
}

const viewOf = (tools: ToolRegistry, type: string): AssistantsToolView => (tools.get(type) ?? functionTool).assistants;

function stepDelta(stepId: string, index: number, body: ToolCallDeltaBody): AssistantStreamEvent {
  const call: ToolCallDelta = { index, ...body };
  return {
    event: 'thread.run.step.delta',
    data: { id: stepId, object: 'thread.run.step.delta', delta: { step_details: { type: 'tool_calls', tool_calls: [call] } } },
  };
}

type ContentDelta = NonNullable<Extract<AssistantStreamEvent, { event: 'thread.message.delta' }>['data']['delta']['content']>;

function messageDelta(id: string, content: ContentDelta): AssistantStreamEvent {
  return { event: 'thread.message.delta', data: { id, object: 'thread.message.delta', delta: { content } } };
}

function runEvent(data: Run): AssistantStreamEvent {
  switch (data.status) {
    case 'queued':
      return { event: 'thread.run.queued', data };
    case 'in_progress':
      return { event: 'thread.run.in_progress', data };
    case 'requires_action':
      return { event: 'thread.run.requires_action', data };
    case 'cancelling':
      return { event: 'thread.run.cancelling', data };
    case 'cancelled':
      return { event: 'thread.run.cancelled', data };
    case 'failed':
      return { event: 'thread.run.failed', data };
    case 'completed':
      return { event: 'thread.run.completed', data };
    case 'incomplete':
      return { event: 'thread.run.incomplete', data };
    case 'expired':
      return { event: 'thread.run.expired', data };
  }
}

function stepEvent(data: RunStep): AssistantStreamEvent | undefined {
  switch (data.status) {
    case 'completed':
      return { event: 'thread.run.step.completed', data };
    case 'failed':
      return { event: 'thread.run.step.failed', data };
    case 'cancelled':
      return { event: 'thread.run.step.cancelled', data };
    case 'expired':
      return { event: 'thread.run.step.expired', data };
    case 'in_progress':
      return undefined;
  }
}

function messageDoneEvent(data: Message): AssistantStreamEvent {
  return data.status === 'incomplete' ? { event: 'thread.message.incomplete', data } : { event: 'thread.message.completed', data };
}
