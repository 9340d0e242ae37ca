const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * Reads one string field out of a JSON object that arrives in pieces (a model streaming a tool
 * call's arguments) and hands back its decoded text as it grows: `{"code": "print(1)\n…` yields
 * `print(1)` then the newline, without waiting for the object to close. An escape split between
 * two pieces is held until it is whole.
 */
export class StreamedStringField {
  readonly #opening: RegExp;
  #raw = '';
  /** Where decoding continues in #raw; -1 until the field's opening quote is seen. */
  #pos = -1;
  #done = false;

  constructor(field: string) {
    this.#opening = new RegExp(`"${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"`);
  }

  /** Adds a piece of the JSON; returns the field's newly decoded text ('' when none). */
  push(piece: string): string {
    this.#raw += piece;
    if (this.#done) return '';
    if (this.#pos < 0) {
      const m = this.#opening.exec(this.#raw);
      if (!m) return '';
      this.#pos = m.index + m[0].length;
    }
    let out = '';
    const raw = this.#raw;
    let i = this.#pos;
    while (i < raw.length) {
      const c = raw[i]!;
      if (c === '"') {
        this.#done = true;
        i++;
        break;
      }
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = raw[i + 1];
      if (e === undefined) break;
      if (e === 'u') {
        const hex = raw.slice(i + 2, i + 6);
        if (hex.length < 4) break;
        out += /^[0-9a-fA-F]{4}$/.test(hex) ? String.fromCharCode(parseInt(hex, 16)) : hex;
        i += 6;
        continue;
      }
      out += ESCAPES[e] ?? e;
      i += 2;
    }
    this.#pos = i;
    return out;
  }
}
