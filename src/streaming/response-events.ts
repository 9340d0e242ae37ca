import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import type { ResponseObject } from './response-object.js';

/** The events that carry the whole response. */
export type Lifecycle =
  | 'response.created'
  | 'response.queued'
  | 'response.in_progress'
  | 'response.completed'
  | 'response.incomplete'
  | 'response.failed';
type LifecycleEvent = { [T in Lifecycle]: { type: T; response: ResponseObject; sequence_number: number } }[Lifecycle];

/** A Responses stream event as Switchboard sends it: the SDK's ResponseStreamEvent, with the wire ResponseObject in the lifecycle events. */
export type ResponseWireEvent = Exclude<ResponseStreamEvent, { type: Lifecycle }> | LifecycleEvent;

/** An event before the encoder numbers it. */
export type UnnumberedEvent = ResponseWireEvent extends infer E ? (E extends ResponseWireEvent ? Omit<E, 'sequence_number'> : never) : never;
