import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../deps.js';
import { archiveProject, createProject, listProjects, retrieveProject, updateProject } from '../services/projects.service.js';
import { toProjectObject } from '../store/serialize-organization.js';
import { adminOnly } from './organization-guard.js';
import { parseListQuery, toListPage } from './pagination.js';
import { parseRequest } from './schemas/common.schema.js';
import { createProjectSchema, parseIncludeArchived, updateProjectSchema } from './schemas/organization.schema.js';

type ById = { Params: { project_id: string } };

/** /organization/projects: list, create, retrieve, modify, archive (OpenAI's Admin API; admin keys only). */
export function organizationProjectsRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    adminOnly(app);
    app.get('/organization/projects', async (req) => {
      const query = parseListQuery({ ...(req.query as object), order: 'asc', before: undefined });
      const { rows, hasMore } = await listProjects(deps, { includeArchived: parseIncludeArchived(req.query), query });
      return toListPage(rows.map(toProjectObject), hasMore);
    });
    app.post('/organization/projects', async (req) =>
      toProjectObject(await createProject(deps, parseRequest(createProjectSchema, req.body))),
    );
    app.get<ById>('/organization/projects/:project_id', async (req) =>
      toProjectObject(await retrieveProject(deps, req.params.project_id)),
    );
    app.post<ById>('/organization/projects/:project_id', async (req) =>
      toProjectObject(await updateProject(deps, req.params.project_id, parseRequest(updateProjectSchema, req.body))),
    );
    app.post<ById>('/organization/projects/:project_id/archive', async (req) =>
      toProjectObject(await archiveProject(deps, req.params.project_id)),
    );
  };
}
