import type { Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import type { Db } from '../store/database.js';
import { paginate, type ListQuery } from '../store/pagination.js';
import {
  findProject,
  findProjectByIdOrName,
  findProjectSeq,
  insertProject,
  insertProjectIfMissing,
  listProjectRows,
  updateProjectRow,
} from '../store/repos/projects.repo.js';
import { nextSeq } from '../store/seq.js';
import type { ProjectRow } from '../store/tables/projects.table.js';

/** Projects (a project is a tenant): create, retrieve, modify, archive, list. Admin keys only. */

export type OrganizationDeps = Pick<Deps, 'store' | 'clock' | 'ids'>;

export async function getProject(db: Db, projectId: string): Promise<ProjectRow> {
  const row = await findProject(db, projectId);
  if (!row) throw notFound('project', projectId);
  return row;
}

/** The project, which must not be archived ("Archived projects cannot be used or updated"). */
export async function getActiveProject(db: Db, projectId: string): Promise<ProjectRow> {
  const row = await getProject(db, projectId);
  if (row.archived_at !== null) throw invalidRequest(`Project '${projectId}' is archived.`, null, 'project_archived');
  return row;
}

export async function createProject(deps: OrganizationDeps, params: { name: string }): Promise<ProjectRow> {
  const nowMs = deps.clock.now();
  return insertProject(deps.store.db, {
    id: deps.ids('proj'),
    name: params.name,
    status: 'active',
    created_at: Math.floor(nowMs / 1000),
    archived_at: null,
    seq: nextSeq(nowMs),
  });
}

export const retrieveProject = (deps: OrganizationDeps, projectId: string) => getProject(deps.store.db, projectId);

export async function updateProject(deps: OrganizationDeps, projectId: string, params: { name?: string | null }): Promise<ProjectRow> {
  const row = await getActiveProject(deps.store.db, projectId);
  if (params.name == null) return row;
  return (await updateProjectRow(deps.store.db, projectId, { name: params.name })) ?? row;
}

/** Archives the project: its keys are refused from then on. Archiving an archived project changes nothing. */
export async function archiveProject(deps: OrganizationDeps, projectId: string): Promise<ProjectRow> {
  const row = await getProject(deps.store.db, projectId);
  if (row.archived_at !== null) return row;
  const archivedAt = Math.floor(deps.clock.now() / 1000);
  return (await updateProjectRow(deps.store.db, projectId, { status: 'archived', archived_at: archivedAt })) ?? row;
}

export function listProjects(deps: OrganizationDeps, opts: { includeArchived: boolean; query: ListQuery }) {
  const db = deps.store.db;
  return paginate({
    query: opts.query,
    fetch: (window) => listProjectRows(db, { includeArchived: opts.includeArchived }, window),
    seqOf: (id) => findProjectSeq(db, id),
  });
}

/** A project by id or name (the CLI's `--project`), or undefined. */
export const findProjectForCli = (deps: OrganizationDeps, idOrName: string) => findProjectByIdOrName(deps.store.db, idOrName);

/** Every project, archived ones included, oldest first (the CLI). */
export const listAllProjects = (deps: OrganizationDeps) => listProjectRows(deps.store.db, { includeArchived: true }, { direction: 'asc', limit: 1_000_000 });

/** The project `default` (open mode's tenant, so its data stays reachable by the first key), created if missing. */
export async function ensureDefaultProject(deps: OrganizationDeps): Promise<ProjectRow> {
  const nowMs = deps.clock.now();
  const row = { id: 'default', name: 'default', status: 'active', created_at: Math.floor(nowMs / 1000), archived_at: null, seq: nextSeq(nowMs) };
  await insertProjectIfMissing(deps.store.db, row);
  return getProject(deps.store.db, 'default');
}
