/** `filters` of a vector store search, over a file's attributes (ComparisonFilter / CompoundFilter). */

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
export interface ComparisonFilter {
  type: ComparisonOperator;
  key: string;
  value: AttributeValue | Array<string | number>;
}
export interface CompoundFilter {
  type: 'and' | 'or';
  filters: AttributeFilter[];
}
export type AttributeFilter = ComparisonFilter | CompoundFilter;

const isCompound = (f: AttributeFilter): f is CompoundFilter => f.type === 'and' || f.type === 'or';

/**
 * Whether a file's attributes pass the filter. A comparison on a missing key, or between values of
 * different types, is false (so `ne` / `nin` are true). Order comparisons work on numbers and on
 * strings (ISO dates compare correctly as strings).
 */
export function matchesFilter(attributes: Attributes | null | undefined, filter: AttributeFilter): boolean {
  if (isCompound(filter))
    return filter.type === 'and'
      ? filter.filters.every((f) => matchesFilter(attributes, f))
      : filter.filters.some((f) => matchesFilter(attributes, f));
  const actual = attributes?.[filter.key];
  switch (filter.type) {
    case 'eq':
      return actual !== undefined && actual === filter.value;
    case 'ne':
      return actual === undefined || actual !== filter.value;
    case 'in':
      return actual !== undefined && asList(filter.value).includes(actual);
    case 'nin':
      return actual === undefined || !asList(filter.value).includes(actual);
    default:
      return compare(actual, filter.value, filter.type);
  }
}

const asList = (value: ComparisonFilter['value']): AttributeValue[] => (Array.isArray(value) ? value : [value]);

function compare(actual: AttributeValue | undefined, expected: ComparisonFilter['value'], op: 'gt' | 'gte' | 'lt' | 'lte'): boolean {
  const comparable =
    (typeof actual === 'number' && typeof expected === 'number') || (typeof actual === 'string' && typeof expected === 'string');
  if (!comparable) return false;
  const a = actual as number | string;
  const b = expected as number | string;
  if (op === 'gt') return a > b;
  if (op === 'gte') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}
