// Metadata as key/value rows: a textbox "Metadata key N" and "Metadata value N" per row, "Add metadata", "Remove".
import type { MetadataRow } from '../../lib/metadata-rows.ts';
import { METADATA_LIMITS } from '../../lib/metadata-rows.ts';

export function MetadataEditor(props: { rows: MetadataRow[]; onChange: (rows: MetadataRow[]) => void }) {
  const update = (i: number, patch: Partial<MetadataRow>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="metadata">
      <legend>Metadata</legend>
      {props.rows.map((row, i) => (
        <div class="row" key={i}>
          <input aria-label={`Metadata key ${i + 1}`} value={row.key} maxLength={METADATA_LIMITS.key} placeholder="key" onInput={(e) => update(i, { key: e.currentTarget.value })} />
          <input aria-label={`Metadata value ${i + 1}`} value={row.value} maxLength={METADATA_LIMITS.value} placeholder="value" onInput={(e) => update(i, { value: e.currentTarget.value })} />
          <button type="button" class="secondary" aria-label={`Remove metadata ${i + 1}`} onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" class="secondary" disabled={props.rows.length >= METADATA_LIMITS.pairs} onClick={() => props.onChange([...props.rows, { key: '', value: '' }])}>
        Add metadata
      </button>
    </fieldset>
  );
}
