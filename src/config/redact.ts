import type { Config } from './config-type.js';

/** A URL's password, in the userinfo or as a `password` query parameter, masked. Paths pass unchanged. */
function redactUrl(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The configuration as it is safe to log: keys and provider secrets masked. */
export function redactConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: redactUrl(config.databaseUrl),
    providers: config.providers.map((p) => ({
      ...p,
      api_key: p.api_key ? '***' : undefined,
      headers: Object.fromEntries(Object.keys(p.headers).map((k) => [k, '***'])),
    })),
    keys: config.keys.map((k) => ({ id: k.id, tenant: k.tenant, name: k.name, key: k.redacted })),
    adminKeys: config.adminKeys.map((k) => ({ id: k.id, name: k.name, key: k.redacted })),
    metrics: { ...config.metrics, keyHash: config.metrics.keyHash ? '***' : null },
    tracing: config.tracing ? { ...config.tracing, url: redactUrl(config.tracing.url) } : null,
  };
}
