// The server-side token table (object/token.go): every token the sandbox issues is a row here, and
// every bearer credential is resolved from here, as Casdoor resolves it from its database. A token
// that is not a row (forged, revoked, refreshed away) is unknown, whatever its signature says.
//
// The small API other parts build on: issue (sign and store), lookup (by access or refresh token),
// revoke, expireForUser, and state (active / expired / the reason Casdoor gives).
import type { SandboxContext } from './context.js';
import { applicationPseudoUser, generateJwt } from './tokens.js';
import type { Application, TokenRecord, User } from './types.js';
import { getId, parseTime, rfc3339, sha256Hex } from './util.js';

export interface IssueInput {
  app: Application;
  /** null: a client_credentials token (the application's pseudo-user). */
  user: User | null;
  scope: string;
  withRefresh: boolean;
  /** `aud` (default [app.clientId]); the authorization-code flow sets it to the RFC 8707 resource. */
  audience?: string | string[];
  /** Stored as the row's `resource`. */
  resource?: string;
  /** RFC 9449 JWK thumbprint: the token is DPoP-bound (cnf.jkt claim, token_type DPoP). */
  dpopJkt?: string;
  grantType?: string;
  nonce?: string;
  issuer?: string;
  expiresInSeconds?: number;
  notBeforeOffsetSeconds?: number;
  tokenFormat?: string;
  extraClaims?: Record<string, unknown>;
}

/** Why Casdoor no longer accepts a stored token, in Casdoor's own words; undefined when active. */
export type TokenRefusal = string | undefined;

export class TokenStore {
  // Keyed by the SHA-256 hex of the access token (getTokenHash), never by the token.
  private readonly rows = new Map<string, TokenRecord>();

  constructor(private readonly clock: () => number) {}

  /** Signs a token for `user` (or the application) with the application's certificate and stores its row. */
  async issue(ctx: SandboxContext, input: IssueInput): Promise<TokenRecord> {
    const { app, user } = input;
    const nowMs = this.clock();
    const extra: Record<string, unknown> = { ...input.extraClaims };
    if (input.dpopJkt) extra.cnf = { jkt: input.dpopJkt };
    const pair = await generateJwt(ctx, {
      app, user: user ?? applicationPseudoUser(app), scope: input.scope, nowMs, issuer: input.issuer ?? ctx.origin(),
      audience: input.audience, expiresInSeconds: input.expiresInSeconds, nonce: input.nonce,
      notBeforeOffsetSeconds: input.notBeforeOffsetSeconds, tokenFormat: input.tokenFormat,
    }, extra);
    const refreshToken = input.withRefresh ? pair.refreshToken : '';
    const row: TokenRecord = {
      owner: app.owner, name: pair.tokenName, createdTime: rfc3339(nowMs), application: app.name,
      organization: user ? user.owner : app.organization, user: user ? user.name : app.name,
      code: sha256Hex(pair.tokenName).slice(0, 20), accessToken: pair.accessToken, refreshToken,
      accessTokenHash: sha256Hex(pair.accessToken), refreshTokenHash: refreshToken ? sha256Hex(refreshToken) : '',
      expiresIn: pair.expiresIn, scope: input.scope, tokenType: input.dpopJkt ? 'DPoP' : 'Bearer',
      grantType: input.grantType ?? (user ? '' : 'client_credentials'), codeChallenge: '', codeIsUsed: true,
      codeExpireIn: 0, resource: input.resource ?? '', dPoPJkt: input.dpopJkt ?? '',
    };
    this.rows.set(row.accessTokenHash, row);
    return row;
  }

  /** Signs a token without storing it: what a forger with the signing key can make. */
  async sign(ctx: SandboxContext, input: IssueInput): Promise<string> {
    const pair = await generateJwt(ctx, {
      app: input.app, user: input.user ?? applicationPseudoUser(input.app), scope: input.scope, nowMs: this.clock(),
      issuer: input.issuer ?? ctx.origin(), audience: input.audience, expiresInSeconds: input.expiresInSeconds,
      notBeforeOffsetSeconds: input.notBeforeOffsetSeconds, tokenFormat: input.tokenFormat,
    }, input.extraClaims);
    return pair.accessToken;
  }

  byAccessToken(token: string): TokenRecord | undefined {
    return token ? this.rows.get(sha256Hex(token)) : undefined;
  }

  byRefreshToken(token: string): TokenRecord | undefined {
    if (!token) return undefined;
    const hash = sha256Hex(token);
    for (const row of this.rows.values()) if (row.refreshTokenHash === hash) return row;
    return undefined;
  }

  /** Deletes the row of an access token (delete-token, or a refresh replacing it). */
  revoke(accessToken: string): boolean {
    return this.rows.delete(sha256Hex(accessToken));
  }

  /** Forbidding or deleting a user expires every token of theirs, now (they stay expired afterwards). */
  expireForUser(owner: string, name: string): number {
    const now = this.clock();
    let count = 0;
    for (const row of this.rows.values()) {
      if (row.organization !== owner || row.user !== name || row.grantType === 'client_credentials') continue;
      row.expiresIn = Math.max(0, Math.floor((now - parseTime(row.createdTime)) / 1000) - 1);
      count += 1;
    }
    return count;
  }

  expiresAt(row: TokenRecord): number {
    return parseTime(row.createdTime) + row.expiresIn * 1000;
  }

  /** undefined when the row is usable now; else Casdoor's message. Users are checked by the caller. */
  state(row: TokenRecord): TokenRefusal {
    const expiresAt = this.expiresAt(row);
    if (row.expiresIn <= 0 || this.clock() > expiresAt) return `Access token has expired, expireTime = ${rfc3339(expiresAt)}`;
    return undefined;
  }

  /** The user a user token belongs to ('org/name'), or undefined for a client_credentials token. */
  userIdOf(row: TokenRecord): string | undefined {
    return row.grantType === 'client_credentials' || row.user === '' ? undefined : getId(row.organization, row.user);
  }

  /** Replaces every row with saved ones (a sandbox's data folder). */
  load(rows: Iterable<TokenRecord>): void {
    this.rows.clear();
    for (const row of rows) this.rows.set(row.accessTokenHash, row);
  }

  // Map-like access by hash, for tests and diagnostics.
  get(hash: string): TokenRecord | undefined {
    return this.rows.get(hash);
  }
  has(hash: string): boolean {
    return this.rows.has(hash);
  }
  delete(hash: string): boolean {
    return this.rows.delete(hash);
  }
  values(): IterableIterator<TokenRecord> {
    return this.rows.values();
  }
  get size(): number {
    return this.rows.size;
  }
}
