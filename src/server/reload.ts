import type { Config } from '../config.js';
import type { KeyReloader } from './keys.js';
import type { PriceTable, RoutedModels } from '../metering/prices.js';
import { unpricedModels } from '../metering/prices.js';
import type { ProviderRegistry } from '../providers/registry.js';

/** What a reload swaps: the parts that read keys, prices, routes, budgets and whether metrics are on. */
export interface Reloadable {
  keys: KeyReloader;
  metrics: { configure(opts: Config['metrics']): void };
  usage: { setPrices(p: { prices: PriceTable; toolPrices: Config['toolPrices'] }): void };
  providers: Pick<ProviderRegistry, 'reload'>;
  limits: { setBudgets(budgets: Config['budgets']): void };
  log: ReloadLog;
}

/** The part of a pino logger a reload writes to. */
export interface ReloadLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Names added, changed and removed between two records. */
export function diffRecords(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>) {
  const same = (k: string) => JSON.stringify(before[k]) === JSON.stringify(after[k]);
  return {
    added: Object.keys(after).filter((k) => !Object.hasOwn(before, k)),
    changed: Object.keys(after).filter((k) => Object.hasOwn(before, k) && !same(k)),
    removed: Object.keys(before).filter((k) => !Object.hasOwn(after, k)),
  };
}

type Diff = ReturnType<typeof diffRecords>;
const counts = (d: Diff): string => `+${d.added.length} ~${d.changed.length} -${d.removed.length}`;
const byName = <T extends { name: string }>(list: readonly T[]) => Object.fromEntries(list.map((p) => [p.name, p]));

/** The settings a reload applies; the rest of the configuration needs a restart. */
const RELOADED = new Set<keyof Config>([
  'keys',
  'openMode',
  'prices',
  'toolPrices',
  'models',
  'aliases',
  'providers',
  'defaultProvider',
  'budgets',
  'metrics',
]);

/** Top-level settings that differ but are not reloaded (port, database, runs…). */
function needRestart(before: Readonly<Config>, after: Readonly<Config>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)] as Array<keyof Config>);
  return [...keys].filter((k) => !RELOADED.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/**
 * Applies a new configuration's keys, prices, routes, budgets and metrics settings (the caller validated it:
 * loadConfig threw on a bad file). Keys go first: a refusal there (open mode entered or left) changes nothing. Requests
 * already past auth and routing keep the key and route they started with. Logs one line of changes.
 */
export async function applyReload(parts: Reloadable, before: Readonly<Config>, after: Readonly<Config>): Promise<void> {
  const keys = await parts.keys.reloadKeys(after);
  parts.usage.setPrices({ prices: after.prices, toolPrices: after.toolPrices });
  parts.providers.reload(after);
  parts.limits.setBudgets(after.budgets);
  parts.metrics.configure(after.metrics);
  const prices = diffRecords(before.prices, after.prices);
  const budgets = diffRecords(before.budgets, after.budgets);
  const routes = diffRecords(before.models, after.models);
  const aliases = diffRecords(before.aliases, after.aliases);
  const providers = diffRecords(byName(before.providers), byName(after.providers));
  parts.log.info(
    { prices, routes, aliases, providers, keys, budgets },
    `reloaded: prices ${counts(prices)}; routes ${counts(routes)}; aliases ${counts(aliases)}; ` +
      `providers ${counts(providers)}; keys +${keys.added.length} -${keys.removed.length}; budgets ${counts(budgets)}` +
      (before.metrics.enabled === after.metrics.enabled ? '' : `; metrics ${after.metrics.enabled ? 'on' : 'off'}`),
  );
  const restart = needRestart(before, after);
  if (restart.length) parts.log.warn({ settings: restart }, `not reloaded, restart to apply: ${restart.join(', ')}`);
  warnUnpriced(parts.log, after);
}

/** The one start (and reload) line naming the models routed without a price. */
export function warnUnpriced(log: Pick<ReloadLog, 'warn'>, config: RoutedModels & { prices: PriceTable }): void {
  const models = unpricedModels(config.prices, config);
  if (models.length)
    log.warn({ models }, `models without a price (their usage costs 0 in /v1/organization/costs): ${models.join(', ')}`);
}
