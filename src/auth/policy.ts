import { administeredOrganizations, describePrincipal, isGlobalAdmin, type Principal } from './caller.js';
import { ForbiddenError } from './errors.js';

/** What a tool does to its resource, for the caller rules below. */
export interface ToolAccess {
  action: 'read' | 'write';
  /** Casdoor lets any signed-in user read one such object, masked (get-application is public). */
  publicRead?: boolean;
  /** Only global administrators and applications (creating or deleting organizations). */
  globalAdminOnly?: boolean;
  /**
   * The object is one any signed-in user may read (masked) whatever its organization, so an organization
   * admin may too: she must never get less than a plain user (get_application).
   */
  anyOrganizationRead?: boolean;
}

/**
 * Casdoor's rights (casdoor.md §1.6, §2.2): global admins and applications act everywhere; an
 * organization admin only inside their own organization, reads included; anyone else only what
 * Casdoor gives a signed-in non-admin. `organization` undefined means "not known yet": the check
 * runs again once the tool has loaded its target.
 */
export function checkOrganization(
  principal: Principal,
  tool: string,
  access: ToolAccess,
  organization: string | undefined,
): void {
  const orgs = administeredOrganizations(principal);
  if (orgs === 'all') return;
  if (access.globalAdminOnly) {
    throw new ForbiddenError(
      'global_admin_required',
      `${describePrincipal(principal)} is not a global administrator; only global administrators may use ${tool}`,
      tool,
    );
  }
  if (orgs === 'none') {
    if (access.action === 'read' && access.publicRead) return;
    throw new ForbiddenError(
      'admin_required',
      `${describePrincipal(principal)} is not an administrator; Casdoor lets only administrators use ${tool}`,
      tool,
    );
  }
  if (organization !== undefined && organization !== orgs.only) {
    if (access.action === 'read' && access.publicRead && access.anyOrganizationRead) return;
    throw new ForbiddenError(
      'own_organization_only',
      `${describePrincipal(principal)} may act only on organization ${orgs.only}, not ${organization}`,
      tool,
    );
  }
}

/** Only global admins and applications see secrets, as with Casdoor's masking (stricter for org admins). */
export function canSeeSecrets(principal: Principal): boolean {
  return isGlobalAdmin(principal);
}

const normalized = (id: string): string => id.trim().replace(/\/+$/, '').toLowerCase();

/**
 * Setting an application's clientId: only global admins may, and never to a value this server
 * accepts as an audience or trusts as a client, since that application's tokens would then pass here
 * as tokens for this server (Casdoor's client_credentials tokens carry aud = [clientId]).
 */
export function checkClientId(principal: Principal, tool: string, clientId: string, reserved: ReadonlySet<string>): void {
  if (!isGlobalAdmin(principal)) {
    throw new ForbiddenError('client_id_global_admin_only', `${describePrincipal(principal)} may not set an application's clientId; leave it out and Casdoor generates one`, tool);
  }
  const wanted = normalized(clientId);
  if ([...reserved].some((r) => normalized(r) === wanted)) {
    throw new ForbiddenError('client_id_reserved', `clientId ${JSON.stringify(clientId.slice(0, 100))} is an audience or trusted client of this MCP server; tokens of such an application would pass here as tokens for this server. Choose another clientId or leave it out`, tool);
  }
}
