// Field lists of Casdoor's Go structs (object/application.go, user.go, organization.go) in
// declaration order, plus an emulation of Go's json.Unmarshal into those structs: unknown keys
// are dropped, missing keys become Go zero values and type mismatches give Go's error text.
import { columnKey, isRecord } from './util.js';

// s string, i int, f float64, b bool, as []string, a []struct, o *struct, m map, r read-only
export type Kind = 's' | 'i' | 'f' | 'b' | 'as' | 'a' | 'o' | 'm' | 'r';
export type Field = { name: string; kind: Kind };
export interface Schema { type: string; fields: Field[]; byKey: Map<string, Field> }

export function schema(type: string, spec: string): Schema {
  const fields = spec.trim().split(/\s+/).map((token) => {
    const [name = '', kind = 's'] = token.split(':');
    return { name, kind: kind as Kind };
  });
  const byKey = new Map<string, Field>();
  for (const field of fields) byKey.set(columnKey(field.name), field);
  return { type, fields, byKey };
}

export const APPLICATION = schema('Application', `
  owner name createdTime displayName category type scopes:a logo title favicon order:i homepageUrl
  description organization cert defaultGroup defaultTag headerHtml pageHtml enablePassword:b
  enableSignUp:b enableGuestSignin:b disableSignin:b enableSigninSession:b enableAutoSignin:b
  enableCodeSignin:b enableExclusiveSignin:b enableSamlCompress:b enableSamlC14n10:b
  enableSamlPostBinding:b disableSamlAttributes:b enableSamlAssertionSignature:b
  useEmailAsSamlNameId:b enableWebAuthn:b enableLinkWithEmail:b orgChoiceMode samlReplyUrl
  providers:a signinMethods:a signupItems:a signinItems:a grantTypes:as organizationObj:r
  certPublicKey:r tags:as samlAttributes:a samlHashAlgorithm samlC14nPrefix isShared:b
  ipRestriction clientId clientSecret clientCert redirectUris:as backchannelLogoutUri
  forcedRedirectOrigin tokenFormat tokenSigningMethod tokenFields:as tokenAttributes:a
  expireInHours:f refreshExpireInHours:f cookieExpireInHours:i signupUrl signinUrl forgetUrl
  affiliationUrl ipWhitelist termsOfUse signupHtml signinHtml themeData:o footerHtml formCss
  formCssMobile formOffset:i formSideHtml formBackgroundUrl formBackgroundUrlMobile
  failedSigninLimit:i failedSigninFrozenTime:i codeResendTimeout:i customScopes:a domain
  otherDomains:as upstreamHost sslMode sslCert CertObj:r registrationAccessToken`);

export const PROVIDER_FIELDS = `github google qq wechat facebook dingtalk weibo gitee linkedin wecom
  lark gitlab adfs baidu alipay casdoor infoflow apple azuread azureadb2c slack steam bilibili okta
  douyin kwai line amazon auth0 battlenet bitbucket box cloudfoundry dailymotion deezer digitalocean
  discord dropbox eveonline fitbit gitea heroku influxcloud instagram intercom kakao lastfm mailru
  meetup microsoftonline naver nextcloud onedrive oura patreon paypal salesforce shopify soundcloud
  spotify strava stripe telegram tiktok tumblr twitch twitter typetalk uber vk wepay xero yahoo
  yammer yandex zoom metamask web3onboard custom custom2 custom3 custom4 custom5 custom6 custom7
  custom8 custom9 custom10`;

export const USER = schema('User', `
  owner name createdTime updatedTime deletedTime id externalId type password passwordSalt
  passwordType displayName firstName lastName avatar avatarType permanentAvatar email
  emailVerified:b phone countryCode region location address:as addresses:a affiliation title
  idCardType idCard realName isVerified:b homepage bio tag language gender birthday education
  score:i karma:i ranking:i balance:f balanceCredit:f currency balanceCurrency isDefaultAvatar:b
  isOnline:b isAdmin:b isForbidden:b isDeleted:b signupApplication hash preHash registerType
  registerSource accessToken originalToken originalRefreshToken createdIp lastSigninTime
  lastSigninIp ${PROVIDER_FIELDS} webauthnCredentials:a preferredMfaType recoveryCodes:as
  totpSecret mfaPhoneEnabled:b mfaEmailEnabled:b mfaRadiusEnabled:b mfaRadiusUsername
  mfaRadiusProvider mfaPushEnabled:b mfaPushReceiver mfaPushProvider invitation invitationCode
  faceIds:a cart:a ldap uidNumber:i properties:m roles:a permissions:a groups:as
  lastChangePasswordTime lastSigninWrongTime signinWrongTimes:i managedAccounts:a mfaAccounts:a
  mfaItems:a mfaRememberDeadline needUpdatePassword:b ipWhitelist applicationScopes:a`);

export const ORGANIZATION = schema('Organization', `
  owner name createdTime displayName websiteUrl logo logoDark favicon hasPrivilegeConsent:b
  passwordType passwordSalt passwordOptions:as passwordObfuscatorType passwordObfuscatorKey
  passwordExpireDays:i tokenRetentionDays:i recordRetentionDays:i countryCodes:as defaultAvatar
  usePermanentAvatar:b defaultApplication defaultTokenFormat userTypes:as tags:as languages:as
  themeData:o masterPassword defaultPassword masterVerificationCode ipWhitelist initScore:i
  enableSoftDeletion:b isProfilePublic:b useEmailAsUsername:b enableTour:b disableSignin:b
  ipRestriction navItems:as userNavItems:as widgetItems:as mfaItems:a mfaRememberInHours:i
  accountMenu accountItems:a dcrPolicy ldapAttributes:as kerberosRealm kerberosKdcHost
  kerberosKeytab kerberosServiceName orgBalance:f userBalance:f balanceCredit:f balanceCurrency`);

export function zeroOf(kind: Kind): unknown {
  switch (kind) {
    case 's': return '';
    case 'i': case 'f': return 0;
    case 'b': return false;
    default: return null;
  }
}

// xorm skips "empty" values in a plain Update(); this mirrors that rule.
export function isNonZero(kind: Kind, value: unknown): boolean {
  if (value === null || value === undefined) return false;
  switch (kind) {
    case 's': return value !== '';
    case 'i': case 'f': return value !== 0;
    case 'b': return value === true;
    case 'as': case 'a': return Array.isArray(value) && value.length > 0;
    case 'm': return isRecord(value) && Object.keys(value).length > 0;
    default: return true;
  }
}

const GO_TYPES: Record<Kind, string> = {
  s: 'string', i: 'int', f: 'float64', b: 'bool', as: '[]string', a: '[]interface {}',
  o: 'struct', m: 'map[string]string', r: 'interface {}',
};

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value; // string | number | object
}

function checkValue(kind: Kind, value: unknown): string | null {
  if (value === null) return null;
  switch (kind) {
    case 's': return typeof value === 'string' ? null : jsonKind(value);
    case 'b': return typeof value === 'boolean' ? null : jsonKind(value);
    case 'f': return typeof value === 'number' ? null : jsonKind(value);
    case 'i':
      if (typeof value !== 'number') return jsonKind(value);
      return Number.isInteger(value) ? null : `number ${value}`;
    case 'as':
      if (!Array.isArray(value)) return jsonKind(value);
      return value.every((v) => v === null || typeof v === 'string') ? null : 'array element';
    case 'a': return Array.isArray(value) ? null : jsonKind(value);
    case 'o': return isRecord(value) ? null : jsonKind(value);
    case 'm':
      if (!isRecord(value)) return jsonKind(value);
      return Object.values(value).every((v) => typeof v === 'string') ? null : 'object value';
    default: return null;
  }
}

export type Decoded = { ok: true; value: Record<string, unknown>; present: Set<string> } | { ok: false; error: string };

// Decode a parsed JSON body into a full record (all stored fields, zero when absent).
export function decode(s: Schema, body: unknown, base?: Record<string, unknown>): Decoded {
  const value: Record<string, unknown> = {};
  for (const f of s.fields) {
    if (f.kind !== 'r') value[f.name] = base ? structuredClone(base[f.name] ?? zeroOf(f.kind)) : zeroOf(f.kind);
  }
  const present = new Set<string>();
  if (body === null) return { ok: true, value, present };
  if (!isRecord(body)) {
    return { ok: false, error: `json: cannot unmarshal ${jsonKind(body)} into Go value of type object.${s.type}` };
  }
  let firstError: string | null = null;
  for (const [key, raw] of Object.entries(body)) {
    const field = s.fields.find((f) => f.name === key) ?? s.byKey.get(columnKey(key));
    if (!field || field.kind === 'r') continue;
    const bad = checkValue(field.kind, raw);
    if (bad) {
      firstError ??= `json: cannot unmarshal ${bad} into Go struct field ${s.type}.${field.name} of type ${GO_TYPES[field.kind]}`;
      continue;
    }
    if (raw === null && (field.kind === 's' || field.kind === 'i' || field.kind === 'f' || field.kind === 'b')) continue;
    value[field.name] = structuredClone(raw);
    present.add(field.name);
  }
  if (firstError) return { ok: false, error: firstError };
  return { ok: true, value, present };
}

// Serialize a stored record in Go field order, filling read-only fields from `extras`.
export function present(s: Schema, record: Record<string, unknown>, extras: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of s.fields) {
    out[f.name] = f.kind === 'r' ? (extras[f.name] ?? (f.name === 'certPublicKey' ? '' : null)) : structuredClone(record[f.name] ?? zeroOf(f.kind));
  }
  return out;
}

export function blank(s: Schema): Record<string, unknown> {
  const decoded = decode(s, {});
  return decoded.ok ? decoded.value : {};
}
