/**
 * zod issues → OpenAI's 400 errors, worded as OpenAI words them ("Invalid type for 'temperature':
 * expected a decimal, but got a string instead.", param `messages[0].role`, code `invalid_value`…).
 * Shared by every request schema. Schemas mark integer checks with INTEGER and decimal ones with
 * DECIMAL as the issue message, so the wording can tell them apart.
 */
import type { z } from 'zod';
import { invalidRequest, type ApiError } from '../../errors.js';

export const INTEGER = 'integer';
export const DECIMAL = 'decimal';
/** Function and schema names: the one string pattern the schemas check. */
export const NAME_PATTERN = /^[a-zA-Z0-9_-]+$/;

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** The first zod issue as OpenAI's error: message, `param` (`messages[0].role`) and `code`. */
export function zodIssuesToApiError(issues: readonly Issue[], body: unknown): ApiError {
  const [issue, path] = settle(issues[0]!, body);
  const param = formatPath(path);
  const value = valueAt(body, path);
  const typeError = (expected: string) =>
    value === undefined
      ? invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter')
      : invalidRequest(
          `Invalid type for '${param}': expected ${expected}, but got ${describe(value)} instead.`,
          param,
          'invalid_type',
        );
  const invalid = (detail: string, code: string) => invalidRequest(`Invalid '${param}': ${detail}`, param, code);

  switch (issue.code) {
    case 'invalid_type':
      return typeError(issue.message === INTEGER ? 'an integer' : (EXPECTED[issue.expected] ?? `a ${issue.expected}`));
    case 'invalid_union': // only a discriminator miss or a type miss on every branch gets here (see settle)
      if (issue.discriminator === undefined) return typeError(issue.message);
      if (typeof value !== 'string') return typeError('a string');
      return invalidValue(value, ('options' in issue && issue.options) || [], param);
    case 'invalid_value':
      if (typeof value !== 'string') return typeError('a string');
      return invalidValue(value, issue.values, param);
    case 'too_small':
    case 'too_big':
      return rangeError(issue, value, invalid);
    case 'invalid_format':
      return invalid(
        `string does not match pattern. Expected a string that matches the pattern '${NAME_PATTERN.source}'.`,
        'invalid_value',
      );
    case 'custom': {
      if (issue.message === INTEGER) return typeError('an integer');
      const p = (issue.params ?? {}) as { code?: string; expected?: string; detail?: string; typeDetail?: string };
      if (p.code === 'invalid_type' && p.typeDetail && value !== undefined)
        return invalidRequest(`Invalid type for '${param}': ${p.typeDetail}`, param, 'invalid_type');
      if (p.code === 'invalid_type') return typeError(p.expected ?? 'a valid value');
      return invalid(p.detail ?? `${issue.message}.`, p.code ?? 'invalid_value');
    }
    default:
      return invalid(`${issue.message}.`, 'invalid_value');
  }
}

/** Descends into the union branch that matched the input's type, so its own (deeper) problem is reported. */
function settle(issue: Issue, body: unknown): [Issue, Path] {
  let current = issue;
  let path: Path = issue.path;
  while (current.code === 'invalid_union' && current.errors.length > 0) {
    const value = valueAt(body, path);
    const branch = current.errors.find((errs) => errs[0] !== undefined && !isTypeMiss(errs[0], value));
    if (!branch) break;
    current = branch[0]!;
    path = [...path, ...current.path];
  }
  return [current, path];
}

/** A branch that failed on the input's type itself (a string enum given an object counts too). */
const isTypeMiss = (issue: Issue, value: unknown) =>
  issue.path.length === 0 &&
  (issue.code === 'invalid_type' || (issue.code === 'invalid_value' && typeof value !== 'string'));

function rangeError(
  issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig,
  value: unknown,
  invalid: (detail: string, code: string) => ApiError,
): ApiError {
  const small = issue.code === 'too_small';
  const bound = String(small ? issue.minimum : issue.maximum);
  const [limit, dir] = small ? ['minimum', 'below_min'] : ['maximum', 'above_max'];
  if (issue.origin === 'array' || issue.origin === 'string') {
    const noun = issue.origin;
    const a = noun === 'array' ? 'an array' : 'a string';
    const len = typeof value === 'string' || Array.isArray(value) ? value.length : 0;
    if (small && len === 0) {
      return invalid(
        `empty ${noun}. Expected ${a} with minimum length ${bound}, but got an empty ${noun} instead.`,
        `empty_${noun}`,
      );
    }
    return invalid(
      `${noun} too ${small ? 'short' : 'long'}. Expected ${a} with ${limit} length ${bound}, ` +
        `but got ${a} with length ${len} instead.`,
      `${noun}_${dir}_length`,
    );
  }
  const kind = issue.message === INTEGER ? INTEGER : DECIMAL;
  return invalid(
    `${kind} ${small ? 'below minimum' : 'above maximum'} value. ` +
      `Expected a value ${small ? '>=' : '<='} ${bound}, but got ${String(value)} instead.`,
    `${kind}_${dir}_value`,
  );
}

function invalidValue(value: string, supported: readonly unknown[], param: string): ApiError {
  const quoted = supported.map((v) => `'${String(v)}'`);
  const list = quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
  return invalidRequest(`Invalid value: '${value}'. Supported values are: ${list}.`, param, 'invalid_value');
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a decimal',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: 'null',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'boolean' ? 'a boolean' : `a ${typeof value}`;
}

/** `['messages', 0, 'content', 1, 'type']` → `messages[0].content[1].type`, as OpenAI writes params; null for the body itself. */
export function zodPath(path: Path): string | null {
  if (path.length === 0) return null;
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

const formatPath = (path: Path): string => zodPath(path) ?? '';

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
