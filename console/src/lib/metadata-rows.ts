/** Metadata as editable key/value rows, and back: OpenAI's limits are 16 pairs, keys ≤64 and values ≤512 chars. */

export interface MetadataRow {
  key: string;
  value: string;
}

export const METADATA_LIMITS = { pairs: 16, key: 64, value: 512 } as const;

/** A metadata object → rows, in the object's key order. */
export function toMetadataRows(metadata: Readonly<Record<string, string>> | null | undefined): MetadataRow[] {
  return Object.entries(metadata ?? {}).map(([key, value]) => ({ key, value }));
}

/**
 * Rows → a metadata object (without a prototype: the keys are the user's), skipping rows whose key is
 * blank; or the first problem as a message.
 */
export function fromMetadataRows(rows: readonly MetadataRow[]): Record<string, string> | string {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) continue;
    if (key.length > METADATA_LIMITS.key) return `Metadata key '${key.slice(0, 20)}…' is longer than ${METADATA_LIMITS.key} characters.`;
    if (row.value.length > METADATA_LIMITS.value) return `The value of '${key}' is longer than ${METADATA_LIMITS.value} characters.`;
    if (Object.hasOwn(out, key)) return `Metadata key '${key}' appears twice.`;
    out[key] = row.value;
  }
  if (Object.keys(out).length > METADATA_LIMITS.pairs) return `At most ${METADATA_LIMITS.pairs} metadata pairs.`;
  return out;
}
