/**
 * Who is calling. The server calls Casdoor as its own application, which Casdoor treats as a global
 * administrator, so every right Casdoor would have checked for the caller is checked here instead.
 */
export type Principal =
  /** A client_credentials token (sub "admin/<app>"): Casdoor's `app/<name>` session user, all organizations. */
  | { type: 'application'; id: string; name: string }
  /** A Casdoor user. owner "built-in" means global admin; isAdmin elsewhere means organization admin. */
  | { type: 'user'; id: string; owner: string; name: string; isAdmin: boolean };

export type Caller =
  | { kind: 'anonymous' }
  | {
      kind: 'token';
      principal: Principal;
      /** Scope tokens exactly as granted (reported back in insufficient_scope errors). */
      grantedScopes: readonly string[];
      /** Canonical scopes after alias expansion. */
      scopes: ReadonlySet<string>;
      clientId: string | undefined;
      expiresAt: number;
    }
  /** Casdoor's own session cookie: every tool, no scope check (as Casdoor's built-in server). */
  | { kind: 'cookie'; principal: Principal };

export type AuthenticatedCaller = Exclude<Caller, { kind: 'anonymous' }>;

/** Global administrators: applications and users of the built-in organization (casdoor.md §1.6). */
export function isGlobalAdmin(p: Principal): boolean {
  return p.type === 'application' || p.owner === 'built-in';
}

/**
 * Organizations a principal may administer: 'all', exactly one (an organization admin's own),
 * or none (a plain user, who gets only what Casdoor gives any signed-in user).
 */
export function administeredOrganizations(p: Principal): 'all' | { only: string } | 'none' {
  if (isGlobalAdmin(p)) return 'all';
  if (p.type === 'user' && p.isAdmin) return { only: p.owner };
  return 'none';
}

export function describePrincipal(p: Principal): string {
  if (p.type === 'application') return `application ${p.name}`;
  const role = isGlobalAdmin(p) ? 'global administrator' : p.isAdmin ? `administrator of ${p.owner}` : `user of ${p.owner}`;
  return `${p.owner}/${p.name} (${role})`;
}
