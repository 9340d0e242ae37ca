import type { EventObject, EventObjectKind } from '../store/repos/event-objects.repo.js';
import { fromJson } from '../store/json.js';
import type { EngineEvent } from './engine-events.js';

/**
 * Events by reference, for a bus that cannot send them whole (PostgreSQL NOTIFY payloads): an
 * event that carries a committed row goes as the row's id, and a tool's output as its step's id,
 * since each was written before it was announced. The receiver reads the row back.
 */

/** The events that carry one row and nothing else. */
type RowEvent = Extract<EngineEvent, { type: 'thread.created' | 'run.created' | 'run.status' | 'step.started' | 'step.done' | 'message.started' | 'message.done' }>;
type ToolOutputEvent = Extract<EngineEvent, { type: 'tool.output' }>;

export type EventRef =
  | { t: RowEvent['type']; k: EventObjectKind; id: string }
  | { t: 'tool.output'; k: 'step'; id: string; call: Omit<ToolOutputEvent, 'type' | 'output'> };

/** How to send `event` by reference, if it can be. */
export function refOf(event: EngineEvent): EventRef | undefined {
  switch (event.type) {
    case 'thread.created':
      return { t: event.type, k: 'thread', id: event.thread.id };
    case 'run.created':
    case 'run.status':
      return { t: event.type, k: 'run', id: event.run.id };
    case 'step.started':
    case 'step.done':
      return { t: event.type, k: 'step', id: event.step.id };
    case 'message.started':
    case 'message.done':
      return { t: event.type, k: 'message', id: event.message.id };
    case 'tool.output': {
      const { type: _type, output: _output, ...call } = event;
      return { t: event.type, k: 'step', id: event.stepId, call };
    }
    default:
      return undefined;
  }
}

/** The event again, from its reference and the row read back. */
export function fromRef(ref: EventRef, loaded: EventObject): EngineEvent | undefined {
  if (ref.t === 'tool.output') {
    if (loaded.kind !== 'step') return undefined;
    const output = fromJson<Record<string, string>>(loaded.row.tool_outputs, {})[ref.call.callId];
    return output === undefined ? undefined : { type: 'tool.output', ...ref.call, output };
  }
  switch (ref.t) {
    case 'thread.created':
      return loaded.kind === 'thread' ? { type: ref.t, thread: loaded.row } : undefined;
    case 'run.created':
    case 'run.status':
      return loaded.kind === 'run' ? { type: ref.t, run: loaded.row } : undefined;
    case 'step.started':
    case 'step.done':
      return loaded.kind === 'step' ? { type: ref.t, step: loaded.row } : undefined;
    case 'message.started':
    case 'message.done':
      return loaded.kind === 'message' ? { type: ref.t, message: loaded.row } : undefined;
  }
}
