import { randomFillSync } from 'node:crypto';

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
  conv: 'conv_',
  resp: 'resp_',
  /** Conversation items other than messages, by type (the spec's examples: fc_, fs_, ci_, rs_, ws_, ctc_). */
  fc: 'fc_',
  fco: 'fco_',
  fs: 'fs_',
  ci: 'ci_',
  rs: 'rs_',
  ws: 'ws_',
  ig: 'ig_',
  ctc: 'ctc_',
  ctco: 'ctco_',
  item: 'item_',
  /** A compaction item (POST /v1/responses/compact). */
  cmp: 'cmp_',
  /** The organization API (issue 14): projects, their service accounts, API keys and admin API keys. */
  proj: 'proj_',
  svc_acct: 'svc_acct_',
  key: 'key_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Random bytes are drawn from a pool refilled 4 KiB at a time: one system call per ~170 ids. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomByte(): number {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  return pool[used++]!;
}

/** 24 random characters from a 62-letter alphabet: ~143 bits, unguessable. */
export function randomToken(length = 24): string {
  let out = '';
  while (out.length < length) {
    const b = randomByte();
    // 248 = 4 × 62: rejecting the rest keeps every letter equally likely.
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

export function newId(kind: IdKind): string {
  return ID_PREFIXES[kind] + randomToken();
}

export type IdGenerator = (kind: IdKind) => string;
