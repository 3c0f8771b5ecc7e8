// object/token_jwt.go generateJwtToken and the token rows of object/token_oauth.go.
import type { SandboxContext } from './context.js';
import { blank, USER } from './schema.js';
import type { Application } from './types.js';
import { getId, uuid } from './util.js';

type Claims = Record<string, unknown>;

// Fields of UserWithoutThirdIdp, the user part of a "JWT" format token (emailVerified is renamed).
const JWT_USER_FIELDS = `owner name createdTime updatedTime deletedTime id type password passwordSalt
  passwordType displayName firstName lastName avatar avatarType permanentAvatar email emailVerified phone
  countryCode region location address affiliation title idCardType idCard homepage bio tag language gender
  birthday education score karma ranking isDefaultAvatar isOnline isAdmin isForbidden isDeleted
  signupApplication hash preHash registerType registerSource github google qq wechat facebook dingtalk
  weibo gitee linkedin wecom lark gitlab createdIp lastSigninTime lastSigninIp preferredMfaType
  recoveryCodes totpSecret mfaPhoneEnabled mfaEmailEnabled ldap properties roles permissions groups
  lastSigninWrongTime signinWrongTimes managedAccounts`.trim().split(/\s+/);

const CALLING_CODES: Record<string, string> = { US: '1', CA: '1', GB: '44', DE: '49', FR: '33', CN: '86', JP: '81', IN: '91' };

export interface JwtInput {
  app: Application;
  user: Record<string, unknown>; // a stored user or the client_credentials pseudo-user
  scope: string;
  nonce?: string;
  nowMs: number;
  issuer: string;
  audience?: string | string[];
  expiresInSeconds?: number;
  notBeforeOffsetSeconds?: number;
  tokenFormat?: string;
}

export interface JwtPair { accessToken: string; refreshToken: string; tokenName: string; expiresIn: number }

// client_credentials tokens describe the app as a user of type "application".
export function applicationPseudoUser(app: Application): Record<string, unknown> {
  return { ...blank(USER), owner: app.owner, name: app.name, id: getId(app.owner, app.name), type: 'application' };
}

function refineUser(user: Record<string, unknown>): Record<string, unknown> {
  const u = structuredClone(user);
  u.password = '';
  u.address ??= [];
  u.properties ??= {};
  u.roles ??= [];
  u.permissions ??= [];
  u.groups ??= [];
  return u;
}

function omitEmpty(claims: Claims, keys: string[]): Claims {
  for (const key of keys) {
    const v = claims[key];
    if (v === '' || v === false || v === undefined || v === null) delete claims[key];
  }
  return claims;
}

function userPart(format: string, u: Record<string, unknown>, scope: string): Claims {
  if (format === 'JWT-Empty') {
    return omitEmpty({
      owner: u.owner, name: u.name, id: u.id, displayName: u.displayName, avatar: u.avatar, email: u.email,
      email_verified: u.emailVerified, phone: u.phone,
    }, ['email_verified']);
  }
  if (format === 'JWT-Standard') {
    const scopes = scope.includes(',') ? scope.split(',') : scope.split(' ');
    const claims: Claims = {
      owner: u.owner, preferred_username: u.name, id: u.id, name: u.displayName, picture: u.avatar,
      email: u.email, email_verified: u.emailVerified,
    };
    const phone = String(u.phone ?? '');
    if (scopes.includes('phone') && phone !== '') {
      const code = CALLING_CODES[String(u.countryCode)];
      claims.phone_number = phone.startsWith('+') ? phone : code ? `+${code}${phone}` : '';
      claims.phone_number_verified = claims.phone_number !== '';
    }
    if (scopes.includes('profile')) claims.gender = u.gender;
    return omitEmpty(claims, ['preferred_username', 'name', 'picture', 'email', 'email_verified', 'phone_number', 'phone_number_verified', 'gender']);
  }
  const claims: Claims = {};
  for (const key of JWT_USER_FIELDS) claims[key === 'emailVerified' ? 'email_verified' : key] = u[key] ?? null;
  return claims;
}

function customPart(app: Application, u: Record<string, unknown>): Claims {
  const claims: Claims = {};
  for (const field of app.tokenFields ?? []) {
    if (field.startsWith('Properties.')) {
      const prop = field.slice('Properties.'.length);
      const props = (u.properties ?? {}) as Record<string, string>;
      if (prop in props) claims[prop] = props[prop];
      continue;
    }
    // Casdoor takes Go field names ("Owner", "IsAdmin"); lower-case names add nothing (measured).
    if (!/^[A-Z]/.test(field)) continue;
    const key = field.charAt(0).toLowerCase() + field.slice(1);
    if (key in u) claims[key] = u[key];
  }
  for (const item of (app.tokenAttributes ?? []) as Array<Record<string, unknown>>) {
    const name = String(item.name ?? '');
    if (name) claims[name] = item.type === 'String' ? String(item.value ?? '') : [String(item.value ?? '')];
  }
  return claims;
}

// Builds the access and refresh claims exactly in the shape of each tokenFormat.
export function buildClaims(input: JwtInput, tokenName: string): { access: Claims; refresh: Claims; format: string } {
  const { app, scope } = input;
  const user = refineUser(input.user);
  const now = Math.floor(input.nowMs / 1000);
  const expiresIn = input.expiresInSeconds ?? Math.trunc(app.expireInHours * 3600);
  const refreshIn = app.refreshExpireInHours === 0 ? expiresIn : Math.trunc(app.refreshExpireInHours * 3600);
  const format = input.tokenFormat || app.tokenFormat || 'JWT';
  const registered: Claims = {
    iss: input.issuer, sub: user.id, aud: input.audience ?? [app.clientId], exp: now + expiresIn,
    nbf: now + (input.notBeforeOffsetSeconds ?? 0), iat: now, jti: getId(app.owner, tokenName),
  };
  omitEmpty(registered, ['iss', 'sub', 'jti']);
  if (format === 'JWT-Custom') {
    const access: Claims = { ...registered, tokenType: 'access-token', azp: app.clientId, nonce: input.nonce ?? '', scope, ...customPart(app, user) };
    return { access, refresh: { ...access, exp: now + refreshIn, TokenType: 'refresh-token' }, format };
  }
  if (!['JWT', 'JWT-Empty', 'JWT-Standard'].includes(format)) throw new Error(`unknown application TokenFormat: ${format}`);
  const extra: Claims = { tokenType: 'access-token', nonce: input.nonce ?? '' };
  if (format === 'JWT') extra.tag = user.tag ?? '';
  Object.assign(extra, { scope, azp: app.clientId, provider: '', signinMethod: '' });
  omitEmpty(extra, ['nonce', 'scope', 'azp', 'provider', 'signinMethod']);
  if (format === 'JWT-Standard') {
    const address = { formatted: '', street_address: '', locality: '', region: '', postal_code: '', country: '' };
    if (scope.split(/[ ,]/).includes('address')) {
      address.street_address = ((user.address ?? []) as string[]).map((line) => `${line}\n`).join('');
    }
    extra.address = address;
  }
  const access = { ...userPart(format, user, scope), ...extra, ...registered };
  return { access, refresh: { ...access, tokenType: 'refresh-token', exp: now + refreshIn }, format };
}

export async function generateJwt(ctx: SandboxContext, input: JwtInput, extraClaims?: Claims): Promise<JwtPair> {
  const tokenName = uuid();
  const { access, refresh } = buildClaims(input, tokenName);
  if (extraClaims) Object.assign(access, extraClaims);
  const method = input.app.tokenSigningMethod;
  return {
    accessToken: await ctx.keys.sign(access, method, input.app.cert),
    refreshToken: await ctx.keys.sign(refresh, method, input.app.cert),
    tokenName,
    expiresIn: input.expiresInSeconds ?? Math.trunc(input.app.expireInHours * 3600),
  };
}
