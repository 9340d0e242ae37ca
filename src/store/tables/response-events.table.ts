import type { Insertable, Selectable } from 'kysely';

/** One stored stream event of a background response. */
export interface ResponseEventsTable {
  response_id: string;
  sequence_number: number;
  /** JSON: the event as it was sent (ResponseWireEvent). */
  event: string;
}
export type ResponseEventRow = Selectable<ResponseEventsTable>;
export type NewResponseEventRow = Insertable<ResponseEventsTable>;
