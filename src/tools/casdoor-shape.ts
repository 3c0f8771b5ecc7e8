import { z } from 'zod';
import { ToolError } from '../mcp/tool.js';

/**
 * Calls shaped like those of Casdoor's own /api/mcp: the whole object as read goes back into an
 * update, with keys this server does not let an agent write. A read-only key is accepted when its
 * value is the one just read (or shown), and refused with a clear message when it would change.
 */

/** The keys of a Casdoor application that are not writable fields here (as get-application answers them). */
export const APPLICATION_READ_ONLY = ['owner', 'createdTime', 'registrationAccessToken', 'organizationObj', 'CertObj', 'certPublicKey'] as const;

/**
 * The keys of a Casdoor user (v3.158's get-user answer) that are not writable fields here: ownership,
 * times, credentials, provider links, MFA state, derived lists.
 */
export const USER_READ_ONLY = `owner createdTime updatedTime deletedTime id externalId password passwordSalt passwordType avatarType
  permanentAvatar addresses isVerified balance balanceCredit currency balanceCurrency isDefaultAvatar isOnline isDeleted hash preHash
  registerType registerSource accessKey accessSecret accessToken originalToken originalRefreshToken createdIp lastSigninTime lastSigninIp
  github google qq wechat facebook dingtalk weibo gitee linkedin wecom lark gitlab adfs baidu alipay casdoor infoflow apple azuread
  azureadb2c slack steam bilibili okta douyin kwai line amazon auth0 battlenet bitbucket box cloudfoundry dailymotion deezer
  digitalocean discord dropbox eveonline fitbit gitea heroku influxcloud instagram intercom kakao lastfm mailru meetup
  microsoftonline naver nextcloud onedrive oura patreon paypal salesforce shopify soundcloud spotify strava stripe telegram tiktok
  tumblr twitch twitter typetalk uber vk wepay xero yahoo yammer yandex zoom metamask web3onboard custom custom2 custom3 custom4
  custom5 custom6 custom7 custom8 custom9 custom10 webauthnCredentials preferredMfaType recoveryCodes totpSecret mfaPhoneEnabled
  mfaEmailEnabled mfaRadiusEnabled mfaRadiusUsername mfaRadiusProvider mfaPushEnabled mfaPushReceiver mfaPushProvider
  multiFactorAuths invitation invitationCode faceIds cart ldap uidNumber roles permissions lastChangePasswordTime
  lastSigninWrongTime signinWrongTimes managedAccounts mfaAccounts mfaItems mfaRememberDeadline applicationScopes`
  .trim()
  .split(/\s+/);

/**
 * `writable` that also admits the read-only `keys`, with any value (whether one changed is decided
 * against the object read); any other key is refused as unknown, as by a strict object. In JSON
 * Schema the read-only keys are one patternProperties entry, not a property each that says nothing.
 */
export function admittingReadOnly<T extends z.ZodObject>(writable: T, keys: readonly string[]) {
  const known = new Set([...Object.keys(writable.shape), ...keys]);
  return writable
    .catchall(z.unknown())
    .superRefine((value, ctx) => {
      const unknown = Object.keys(value).filter((k) => !known.has(k));
      if (unknown.length > 0) ctx.addIssue({ code: 'unrecognized_keys', keys: unknown, input: value });
    })
    .meta({
      additionalProperties: false,
      patternProperties: { [`^(${keys.join('|')})$`]: { description: 'Read-only: accepted as read, refused if changed' } },
    });
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `patch` without the keys that change nothing: read-only keys equal to the stored or shown value,
 * and masked values ("***", -1, [] ...) sent back exactly as shown to a caller who may not see the
 * real ones. Throws when a read-only key would change.
 */
export function withoutUnchanged(
  patch: Record<string, unknown>,
  stored: Record<string, unknown>,
  shown: Record<string, unknown>,
  readOnly: readonly string[],
  what: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const changedReadOnly: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (readOnly.includes(key)) {
      if (!same(value, stored[key]) && !same(value, shown[key])) changedReadOnly.push(key);
      continue;
    }
    if (!same(shown[key], stored[key]) && same(value, shown[key])) continue; // a masked value echoed back
    out[key] = value;
  }
  if (changedReadOnly.length > 0) {
    throw new ToolError(
      `${what} was not changed: ${changedReadOnly.map((k) => `"${k}"`).join(', ')} cannot be changed here (read-only); ` +
        'send them unchanged as read, or leave them out',
    );
  }
  return out;
}
