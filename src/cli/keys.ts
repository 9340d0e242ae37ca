import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { createAdminApiKey } from '../services/admin-api-keys.service.js';
import { listAllApiKeys, revokeKey } from '../services/api-keys.service.js';
import { importConfiguredKeys } from '../services/keys-import.service.js';
import { createProject, ensureDefaultProject, findProjectForCli, listAllProjects, type OrganizationDeps } from '../services/projects.service.js';
import { createServiceAccount } from '../services/service-accounts.service.js';
import { migrateToLatest, openDb } from '../store/open-db.js';

/**
 * `switchboard keys create|list|revoke` and `switchboard projects list|create`: keys and projects managed in the
 * configured database directly (the same configuration as `switchboard serve`), for the first key of a fresh install.
 * A running server sees a new or revoked key within a second.
 */

export const KEYS_HELP = `Usage: switchboard keys create [--project <id|name>] [--name <name>] [--expires-in <days>] [--admin]
       switchboard keys list [--project <id|name>]
       switchboard keys revoke <key id>
       switchboard projects list
       switchboard projects create <name>

Manages API keys and projects in the configured database (SWITCHBOARD_DATABASE_URL, SWITCHBOARD_CONFIG: the same
configuration as \`switchboard serve\`). A running server picks the change up within a second.

  keys create        creates a service account and its key in a project (default: the project \`default\`,
                     where open mode keeps its data) and prints the key on stdout, this once; only its hash is kept
    --project        the project's id or name
    --name           the service account's name (default: cli)
    --expires-in     days until the key is refused (default: never)
    --admin          an admin key instead (for /v1/organization/…: projects, keys, usage of every project)
  keys list          every key (or a project's): id, project, service account, redacted value, created, last used, expires
  keys revoke        deletes a project key or an admin key by id
  projects list      every project, archived ones included
  projects create    creates a project and prints its id`;

type Out = { out: (line: string) => void; err: (line: string) => void };

const iso = (s: number | null) => (s === null ? '-' : new Date(s * 1000).toISOString().replace('.000Z', 'Z'));

/** A wrong command line: its message, then the help; exit 2. */
class UsageError extends Error {}
/** Nothing by that id or name: its message; exit 1. */
class MissingError extends Error {}

async function keysCreate(deps: OrganizationDeps, values: Record<string, string | boolean | undefined>, io: Out): Promise<number> {
  const name = typeof values.name === 'string' ? values.name : 'cli';
  const days = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
  if (days !== undefined && !(days > 0)) throw new UsageError('--expires-in expects a number of days above 0');
  const expiresAt = days === undefined ? null : Math.floor(deps.clock.now() / 1000 + days * 86_400);
  if (values.admin) {
    const { row, value } = await createAdminApiKey(deps, { name, expires_in_seconds: days === undefined ? null : Math.round(days * 86_400) });
    io.err(`created admin key ${row.id} (${name}), expires ${iso(row.expires_at)}; it is shown this once:`);
    io.out(value);
    return 0;
  }
  const wanted = typeof values.project === 'string' ? values.project : 'default';
  const project = values.project === undefined ? await ensureDefaultProject(deps) : await findProjectForCli(deps, wanted);
  if (!project) throw new MissingError(`no project '${wanted}': create it with \`switchboard projects create <name>\``);
  const { account, key } = await createServiceAccount(deps, project.id, { name, expires_at: expiresAt });
  io.err(`created key ${key!.row.id} for service account ${account.id} (${name}) in project ${project.id} (${project.name}), expires ${iso(expiresAt)}; it is shown this once:`);
  io.out(key!.value);
  return 0;
}

async function keysList(deps: OrganizationDeps, project: string | undefined, io: Out): Promise<number> {
  const p = project === undefined ? undefined : await findProjectForCli(deps, project);
  if (project !== undefined && !p) throw new MissingError(`no project '${project}'`);
  io.out(['id', 'project', 'service account', 'key', 'created', 'last used', 'expires'].join('\t'));
  for (const k of await listAllApiKeys(deps, p?.id))
    io.out([k.id, k.project_id, k.owner_name, k.redacted_value, iso(k.created_at), iso(k.last_used_at), iso(k.expires_at)].join('\t'));
  return 0;
}

async function projectsCommand(deps: OrganizationDeps, args: string[], io: Out): Promise<number> {
  if (args[0] === 'list' && args.length === 1) {
    io.out(['id', 'name', 'status', 'created'].join('\t'));
    for (const p of await listAllProjects(deps)) io.out([p.id, p.name, p.status, iso(p.created_at)].join('\t'));
    return 0;
  }
  if (args[0] === 'create' && args.length === 2 && args[1]) {
    const p = await createProject(deps, { name: args[1] });
    io.err(`created project ${p.id} (${p.name})`);
    io.out(p.id);
    return 0;
  }
  throw new UsageError('expected `projects list` or `projects create <name>`');
}

async function keysCommand(deps: OrganizationDeps, args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: args.slice(1),
    allowPositionals: true,
    options: { project: { type: 'string' }, name: { type: 'string' }, 'expires-in': { type: 'string' }, admin: { type: 'boolean' } },
  });
  if (args[0] === 'create' && positionals.length === 0) return keysCreate(deps, values, io);
  if (args[0] === 'list' && positionals.length === 0) return keysList(deps, values.project, io);
  if (args[0] === 'revoke' && positionals.length === 1) {
    const kind = await revokeKey(deps, positionals[0]!);
    if (!kind) throw new MissingError(`no key '${positionals[0]}'`);
    io.err(`revoked ${kind === 'admin' ? 'admin ' : ''}key ${positionals[0]}`);
    return 0;
  }
  throw new UsageError('expected `keys create`, `keys list` or `keys revoke <key id>`');
}

/** Runs `switchboard keys …` or `switchboard projects …` (argv starts with `keys` or `projects`); the exit code. */
export async function runKeys(argv: string[], io: Out = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
  const [command, ...args] = argv;
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.out(KEYS_HELP);
    return args.length === 0 ? 2 : 0;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`switchboard: invalid configuration\n${err.message}`);
    return 1;
  }
  const store = openDb(config.databaseUrl, { poolSize: 1 });
  try {
    const migrated = await migrateToLatest(store.db);
    if (migrated.error) throw migrated.error;
    const deps: OrganizationDeps = { store, clock: { now: () => Date.now() }, ids: newId };
    await importConfiguredKeys(store.db, { keys: config.keys, adminKeys: config.adminKeys, openMode: config.openMode, nowMs: Date.now() });
    return command === 'projects' ? await projectsCommand(deps, args, io) : await keysCommand(deps, args, io);
  } catch (err) {
    if (err instanceof MissingError || err instanceof ApiError) {
      io.err(`switchboard ${command}: ${err.message}`);
      return 1;
    }
    if (!(err instanceof UsageError || (err instanceof TypeError && 'code' in err))) throw err;
    io.err(`switchboard ${command}: ${err.message}\n\n${KEYS_HELP}`);
    return 2;
  } finally {
    await store.close();
  }
}
