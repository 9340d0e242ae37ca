/**
 * A tsvector's text form (what PostgreSQL's tsvectorout prints: `'lexeme':1,5 'other':3`, quotes inside a
 * lexeme doubled, backslashes escaped) read back as lexemes with their numbers of positions. The server prints
 * it ~10× faster than it unnests a tsvector into arrays, and reading it here is cheaper than node-postgres
 * parsing two arrays. Weights (A/B/C after a position) never occur: `text_tsv` is to_tsvector's output.
 */
export interface TsvectorTerms {
  lexemes: string[];
  /** Positions of each lexeme (1 for a lexeme printed without any), in the order of `lexemes`. */
  counts: number[];
  /** Their sum: ts_rank's document length. */
  positions: number;
}

const QUOTE = 39; // '
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const SPACE = 32;

export function parseTsvectorText(text: string): TsvectorTerms {
  const lexemes: string[] = [];
  const counts: number[] = [];
  let positions = 0;
  let at = 0;
  while (at < text.length) {
    if (text.charCodeAt(at) !== QUOTE) throw new SyntaxError(`tsvector text: expected a quote at ${at}`);
    const { lexeme, next } = readLexeme(text, at + 1);
    at = next;
    let count = 1;
    if (text.charCodeAt(at) === COLON) {
      at++;
      while (at < text.length && text.charCodeAt(at) !== SPACE) if (text.charCodeAt(at++) === COMMA) count++;
    }
    lexemes.push(lexeme);
    counts.push(count);
    positions += count;
    if (text.charCodeAt(at) === SPACE) at++;
  }
  return { lexemes, counts, positions };
}

/** The lexeme starting at `at` (after its opening quote) and where its closing quote ends. */
function readLexeme(text: string, at: number): { lexeme: string; next: number } {
  let plain = at;
  let lexeme = '';
  for (;;) {
    const c = text.charCodeAt(at);
    if (Number.isNaN(c)) throw new SyntaxError('tsvector text: unterminated lexeme');
    if (c === BACKSLASH || (c === QUOTE && text.charCodeAt(at + 1) === QUOTE)) {
      lexeme += text.slice(plain, at) + text[at + 1]!;
      at += 2;
      plain = at;
    } else if (c === QUOTE) {
      return { lexeme: lexeme + text.slice(plain, at), next: at + 1 };
    } else at++;
  }
}
