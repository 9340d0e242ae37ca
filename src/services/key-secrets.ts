import { hashKey, redactKey } from '../config.js';
import { randomToken } from '../ids.js';

/** A new key: its value (shown once), its sha256 (all that is stored) and its redacted form. */
export interface NewSecret {
  value: string;
  hash: string;
  redacted: string;
}

/** `sk-admin-…` for admin keys, `sk-svcacct-…` for service accounts' keys, as OpenAI spells them; 48 random characters (~286 bits). */
export function newSecret(prefix: 'sk-admin-' | 'sk-svcacct-'): NewSecret {
  const value = prefix + randomToken(48);
  return { value, hash: hashKey(value), redacted: redactKey(value) };
}
