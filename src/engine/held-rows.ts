import type { RunStepRow, RunStepUpdate } from '../store/tables/run-steps.table.js';

/**
 * The rows of a run whose rows are never written (RunWriter.hold): its steps, as the database would hold them, so that
 * what the engine reads back within the run (its steps' calls and outputs) is served from here.
 */
export class HeldRows {
  readonly #steps = new Map<string, RunStepRow>();

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
