import type { Insertable, Selectable } from 'kysely';

/** A project is a tenant: every row of the tenant's data carries the project's id as `tenant_id`. */
export interface ProjectsTable {
  id: string;
  name: string;
  /** `active` or `archived`. */
  status: string;
  created_at: number;
  archived_at: number | null;
  seq: number;
}
export type ProjectRow = Selectable<ProjectsTable>;
export type NewProjectRow = Insertable<ProjectsTable>;

/** The owner of a project's API keys (Switchboard has no users: every key belongs to a service account). */
export interface ServiceAccountsTable {
  id: string;
  project_id: string;
  name: string;
  /** `member`, or `none` for one created with `create_service_account_only`. */
  role: string;
  created_at: number;
  seq: number;
}
export type ServiceAccountRow = Selectable<ServiceAccountsTable>;
export type NewServiceAccountRow = Insertable<ServiceAccountsTable>;
