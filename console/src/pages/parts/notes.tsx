// Small shared bits of markup: an error alert, a loading line, a labelled JSON block.
import type { ComponentChildren } from 'preact';

export function ErrorNote(props: { error: string | undefined }) {
  return props.error ? (
    <p role="alert" class="error">
      {props.error}
    </p>
  ) : null;
}

export function Loading(props: { when: boolean }) {
  return props.when ? <p class="hint">Loading…</p> : null;
}

/** A definition list of label → value pairs (status, usage, timing). */
export function Facts(props: { items: ReadonlyArray<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {props.items.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function JsonBlock(props: { value: unknown; label?: string }) {
  return <pre class="json" aria-label={props.label}>{JSON.stringify(props.value, null, 2)}</pre>;
}
