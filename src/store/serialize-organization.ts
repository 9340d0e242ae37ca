import type { AdminAPIKey, AdminAPIKeyCreateResponse, AdminAPIKeyDeleteResponse } from 'openai/resources/admin/organization/admin-api-keys';
import type { APIKeyDeleteResponse, ProjectAPIKey } from 'openai/resources/admin/organization/projects/api-keys';
import type { Project } from 'openai/resources/admin/organization/projects/projects';
import type {
  ProjectServiceAccount,
  ServiceAccountCreateResponse,
  ServiceAccountDeleteResponse,
} from 'openai/resources/admin/organization/projects/service-accounts/service-accounts';
import type { APIKeyCreateResponse } from 'openai/resources/admin/organization/projects/service-accounts/api-keys';
import type { ApiKeyWithOwner } from './repos/api-keys.repo.js';
import type { AdminApiKeyRow, ApiKeyRow } from './tables/api-keys.table.js';
import type { ProjectRow, ServiceAccountRow } from './tables/projects.table.js';

/** Rows of the organization API (projects, service accounts, keys) → OpenAI's Admin API objects. */

export function toProjectObject(row: ProjectRow): Project {
  return {
    id: row.id,
    object: 'organization.project',
    name: row.name,
    created_at: row.created_at,
    archived_at: row.archived_at,
    status: row.status,
  };
}

export function toServiceAccountObject(row: ServiceAccountRow): ProjectServiceAccount {
  return {
    object: 'organization.project.service_account',
    id: row.id,
    name: row.name,
    role: row.role === 'none' ? 'none' : 'member',
    created_at: row.created_at,
  };
}

/** The create answer: the service account and its key, whose value is shown this once. */
export function toServiceAccountCreated(
  row: ServiceAccountRow,
  key: { row: ApiKeyRow; value: string } | null,
): ServiceAccountCreateResponse & { api_key: (ServiceAccountCreateResponse.APIKey & { expires_at: number | null }) | null } {
  return {
    object: 'organization.project.service_account',
    id: row.id,
    name: row.name,
    role: row.role === 'none' ? 'none' : 'member',
    created_at: row.created_at,
    api_key: key && {
      object: 'organization.project.service_account.api_key',
      value: key.value,
      name: key.row.name,
      created_at: key.row.created_at,
      id: key.row.id,
      // Switchboard's extension: when the key stops working (null: never).
      expires_at: key.row.expires_at,
    },
  };
}

/** A key made for a service account (POST …/service_accounts/{id}/api_keys); `expires_at` is Switchboard's extension. */
export const toServiceAccountApiKey = (row: ApiKeyRow, value: string): APIKeyCreateResponse & { expires_at: number | null } => ({
  object: 'organization.project.service_account.api_key',
  value,
  name: row.name,
  created_at: row.created_at,
  id: row.id,
  expires_at: row.expires_at,
});

export const toServiceAccountDeleted = (id: string): ServiceAccountDeleteResponse => ({
  object: 'organization.project.service_account.deleted',
  id,
  deleted: true,
});

/** A project key; `expires_at` is Switchboard's extension (null: never). */
export function toProjectApiKeyObject(row: ApiKeyWithOwner, projectActive: boolean): ProjectAPIKey & { expires_at: number | null } {
  return {
    object: 'organization.project.api_key',
    redacted_value: row.redacted_value,
    name: row.name,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    id: row.id,
    owner_project_access: projectActive ? 'active' : 'inactive',
    owner: {
      type: 'service_account',
      service_account: { id: row.owner_id, name: row.owner_name, created_at: row.owner_created_at, role: row.owner_role },
    },
    expires_at: row.expires_at,
  };
}

export const toProjectApiKeyDeleted = (id: string): APIKeyDeleteResponse => ({
  object: 'organization.project.api_key.deleted',
  id,
  deleted: true,
});

/**
 * An admin key. Switchboard has no users: every admin key is the organization owner's, shown as OpenAI shows a
 * user-owned key (the owner's created_at is the key's).
 */
export function toAdminApiKeyObject(row: AdminApiKeyRow): AdminAPIKey {
  return {
    object: 'organization.admin_api_key',
    id: row.id,
    name: row.name,
    redacted_value: row.redacted_value,
    created_at: row.created_at,
    expires_at: row.expires_at,
    last_used_at: row.last_used_at,
    owner: { type: 'user', object: 'organization.user', id: 'user_owner', name: 'owner', created_at: row.created_at, role: 'owner' },
  };
}

export const toAdminApiKeyCreated = (row: AdminApiKeyRow, value: string): AdminAPIKeyCreateResponse => ({
  ...toAdminApiKeyObject(row),
  value,
});

export const toAdminApiKeyDeleted = (id: string): AdminAPIKeyDeleteResponse => ({
  object: 'organization.admin_api_key.deleted',
  id,
  deleted: true,
});
