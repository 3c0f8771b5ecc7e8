import type { CasdoorAdapter } from '../casdoor/adapter.js';
import type { CasdoorUser } from '../casdoor/types.js';
import type { Principal } from './caller.js';
import { Refusal, RpcCode } from './errors.js';

/**
 * Who a bearer token belongs to, as Casdoor answers about that very token. A signature proves
 * nothing here (any organization admin can read the key that signs Casdoor's tokens), and no claim
 * an application can configure (owner, name, isAdmin, type, custom attributes, sub) is read:
 *
 * 1. introspection with the server's own client credentials: is the token active (a row in Casdoor's
 *    token table, not expired, its user neither forbidden nor deleted), its client, scope and audience;
 * 2. get-account with the token as Bearer: Casdoor's API filter takes the user from the token row and
 *    answers the user record (organization, name, isAdmin, isForbidden, isDeleted), or names the
 *    application of a client_credentials token.
 *
 * An application principal needs a trusted client: the server's own (bound to its application's
 * name) or one the operator listed in MCP_TRUSTED_CLIENTS.
 */
export interface Resolution {
  principal: Principal;
  /** Scope tokens as Casdoor's introspection reports them. */
  scopes: string[];
  clientId: string | undefined;
}

export interface IdentityOptions {
  casdoor: CasdoorAdapter;
  /** The server's own application (client_credentials tokens of its client id must name it). */
  own: { clientId: string; application: string };
  /** More client ids whose client_credentials tokens act as applications (MCP_TRUSTED_CLIENTS). */
  trustedClients: readonly string[];
  /** The accepted `aud` values; Casdoor's introspected audience must contain one too. */
  audiences: readonly string[];
  introspectionUrl?: string | undefined;
}

export function invalidToken(description: string, hint = 'Get a new access token from Casdoor for this server and retry.'): Refusal {
  return new Refusal(RpcCode.InvalidToken, 'invalid_token', { reason: description, hint }, { error: 'invalid_token', errorDescription: description });
}

/** Casdoor's own words, kept printable and short enough for a header. */
const said = (msg: string): string => msg.replace(/["\\\r\n]/g, ' ').slice(0, 160);

const asList = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function userPrincipal(user: CasdoorUser): Principal {
  if (typeof user.owner !== 'string' || !user.owner || typeof user.name !== 'string' || !user.name) {
    throw invalidToken('Casdoor answered no user for this credential');
  }
  if (user.isForbidden === true || user.isDeleted === true) throw invalidToken('the user is forbidden or deleted in Casdoor');
  return { type: 'user', id: `${user.owner}/${user.name}`, owner: user.owner, name: user.name, isAdmin: user.isAdmin === true };
}

export function createIdentityResolver(options: IdentityOptions): (token: string) => Promise<Resolution> {
  const trusted = new Set([options.own.clientId, ...options.trustedClients]);
  const audiences = new Set(options.audiences);

  return async function resolve(token) {
    // Throws CasdoorError when Casdoor cannot be asked: the edge answers 503, never a guess.
    const info = await options.casdoor.introspect(token, options.introspectionUrl);
    if (info.active !== true) throw invalidToken('Casdoor does not accept this token (unknown to Casdoor, revoked, expired, or its user is forbidden or deleted)');
    if (info.token_type === 'DPoP' || info.cnf !== undefined) throw dpopBound();
    const aud = asList(info.aud);
    if (aud.length > 0 && !aud.some((a) => audiences.has(a))) throw invalidToken('audience not accepted');
    const clientId = typeof info.client_id === 'string' && info.client_id ? info.client_id : undefined;
    const scopes = [...new Set(typeof info.scope === 'string' ? info.scope.split(/ +/).filter(Boolean) : [])];

    const account = await options.casdoor.tokenAccount(token);
    if ('refused' in account) throw invalidToken(`Casdoor refused the token: ${said(account.refused)}`);
    if ('user' in account) return { principal: userPrincipal(account.user), scopes, clientId };

    // A client_credentials token: an application principal only for a trusted client.
    const name = account.application;
    const ownMismatch = clientId === options.own.clientId && name !== options.own.application;
    if (!clientId || !trusted.has(clientId) || ownMismatch) {
      throw invalidToken(
        `application tokens are accepted only from trusted clients; client ${clientId ?? '(none)'} (application ${name}) is not one`,
        `An operator who wants this application to act on Casdoor through this server adds its client id to MCP_TRUSTED_CLIENTS; otherwise sign in as a user.`,
      );
    }
    return { principal: { type: 'application', id: `admin/${name}`, name }, scopes, clientId };
  };
}

export function dpopBound(): Refusal {
  return invalidToken('this token is DPoP-bound; this server accepts Bearer tokens only, and a DPoP-bound token presented as Bearer is refused (as Casdoor refuses it without its proof)');
}
