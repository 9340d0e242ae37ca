import { randomBytes } from 'node:crypto';

/** The one table of id prefixes, as OpenAI spells them. */
export const ID_PREFIXES = {
  asst: 'asst_',
  thread: 'thread_',
  msg: 'msg_',
  run: 'run_',
  step: 'step_',
  call: 'call_',
  file: 'file-',
  vs: 'vs_',
  vsfb: 'vsfb_',
  chatcmpl: 'chatcmpl-',
  req: 'req_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 24 random characters from a 62-letter alphabet: ~143 bits, unguessable. */
export function randomToken(length = 24): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomToken(length - out.length);
}

export function newId(kind: IdKind): string {
  return ID_PREFIXES[kind] + randomToken();
}

export type IdGenerator = (kind: IdKind) => string;
