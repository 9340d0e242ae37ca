// Responses and Conversations items (a union of ~30 types in the SDK) reduced to what the console shows: a title,
// the text, and for tool calls their arguments, outputs and results. Unknown types keep their JSON.

/** What the console shows of one item. */
export interface ItemSummary {
  id: string | null;
  type: string;
  title: string;
  /** Text of a message, a call's arguments, an output, a reasoning summary; '' when there is none. */
  text: string;
  /** file_search results, with their scores. */
  results: Array<{ file_id: string; filename: string; score: number | null; text: string }>;
  /** Files cited by a message's annotations, in order. */
  citations: Array<{ file_id: string; filename: string }>;
}

type Fields = Readonly<Record<string, unknown>>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): Fields[] => (Array.isArray(v) ? v.filter((x): x is Fields => typeof x === 'object' && x !== null) : []);

function messageParts(f: Fields): { text: string; citations: ItemSummary['citations'] } {
  const content = typeof f.content === 'string' ? [{ type: 'input_text', text: f.content }] : arr(f.content);
  const text = content.map((c) => str(c.text) || str(c.refusal)).filter(Boolean).join('\n');
  const citations = content
    .flatMap((c) => arr(c.annotations))
    .filter((a) => a.type === 'file_citation')
    .map((a) => ({ file_id: str(a.file_id), filename: str(a.filename) || str(a.file_id) }));
  return { text, citations };
}

function toolText(f: Fields): { title: string; text: string } | undefined {
  switch (f.type) {
    case 'function_call':
      return { title: `Function call ${str(f.name)} (${str(f.call_id)})`, text: str(f.arguments) };
    case 'function_call_output':
      return { title: `Function output (${str(f.call_id)})`, text: typeof f.output === 'string' ? f.output : JSON.stringify(f.output) };
    case 'file_search_call':
      return { title: `file_search: ${(Array.isArray(f.queries) ? f.queries : []).map(str).join('; ')}`, text: '' };
    case 'code_interpreter_call': {
      const logs = arr(f.outputs).map((o) => str(o.logs)).join('');
      return { title: 'code_interpreter', text: [str(f.code), logs ? `--- logs ---\n${logs}` : ''].filter(Boolean).join('\n') };
    }
    case 'reasoning':
      return { title: 'Reasoning', text: arr(f.summary).map((s) => str(s.text)).join('\n') };
    default:
      return undefined;
  }
}

/** One item (input, output or conversation item) → what the console shows. */
export function summarizeItem(item: { type?: string; id?: string | null }): ItemSummary {
  const f = item as Fields;
  const type = str(f.type) || 'message';
  const base = { id: typeof f.id === 'string' ? f.id : null, type, results: [], citations: [] };
  if (type === 'message') {
    const { text, citations } = messageParts(f);
    const status = str(f.status);
    return { ...base, title: `${str(f.role) || 'message'}${status && status !== 'completed' ? ` (${status})` : ''}`, text, citations };
  }
  const tool = toolText(f);
  if (!tool) return { ...base, title: type, text: JSON.stringify(item, null, 2) };
  const results = arr(f.results).map((r) => ({
    file_id: str(r.file_id),
    filename: str(r.filename) || str(r.file_id),
    score: typeof r.score === 'number' ? r.score : null,
    text: str(r.text),
  }));
  return { ...base, ...tool, results };
}
