import type { ThreadHistory } from '../store/repos/run-messages.repo.js';
import type { ConversationItemRow } from '../store/tables/conversation-items.table.js';
import type { MessageRow } from '../store/tables/messages.table.js';
import type { RunStepRow, RunStepUpdate } from '../store/tables/run-steps.table.js';

/**
 * The rows of a run whose rows are never written (RunWriter.hold): its steps, and its thread's history with what the
 * run added to it (its ended messages, its reasoning), as the database would hold them, so that what the engine reads
 * back within the run (a later turn's history, its steps' calls and outputs) is served from here.
 */
export class HeldRows {
  readonly #steps = new Map<string, RunStepRow>();
  readonly #messages: MessageRow[];
  readonly #items: ConversationItemRow[];

  constructor(history: ThreadHistory = { messages: [], items: [] }) {
    this.#messages = [...history.messages];
    this.#items = [...history.items];
  }

  /** The thread's history as a turn reads it: messages, other items, each in seq order (made in that order). */
  history(): ThreadHistory {
    return { messages: [...this.#messages], items: [...this.#items] };
  }

  /** A message of the run, ended (its turn's next turn sees it). */
  addMessage(message: MessageRow): void {
    this.#messages.push(message);
  }

  addItem(item: ConversationItemRow): void {
    this.#items.push(item);
  }

  /** The step as written now: added, or in place of its earlier version. */
  put(step: RunStepRow): RunStepRow {
    this.#steps.set(step.id, step);
    return step;
  }

  /** The step with `patch` applied, as an update would return it; undefined when there is no such step. */
  update(stepId: string, patch: RunStepUpdate): RunStepRow | undefined {
    const step = this.#steps.get(stepId);
    return step && this.put({ ...step, ...patch } as RunStepRow);
  }

  /** The steps in the order they were made (a Map keeps its keys' first insertion order). */
  steps(): RunStepRow[] {
    return [...this.#steps.values()];
  }
}
