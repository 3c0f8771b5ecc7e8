// Casdoor v3.158's read masking as facts: which columns it replaces, with what, and for whom
// (object/application_util.go GetMaskedApplication, object/user.go GetMaskedUser,
// object/organization.go GetMaskedOrganization, object/provider.go GetMaskedProvider).
// The sandbox masks its answers with it; the tools mask for callers who may not see secrets.

type Rec = Record<string, unknown>;

/** GetMaskedApplication, for a caller who is not the application's admin: what each column reads. */
export const APPLICATION_MASK = {
  strings: [
    'clientSecret', 'clientCert', 'cert', 'registrationAccessToken', 'ipWhitelist', 'backchannelLogoutUri',
    'samlReplyUrl', 'tokenFormat', 'tokenSigningMethod', 'domain', 'upstreamHost', 'sslMode', 'sslCert',
  ],
  flags: [
    'enablePassword', 'enableSigninSession', 'enableCodeSignin', 'enableSamlCompress', 'enableSamlC14n10',
    'enableSamlPostBinding', 'disableSamlAttributes', 'enableWebAuthn', 'enableLinkWithEmail',
  ],
  lists: ['grantTypes', 'redirectUris', 'tokenFields', 'tokenAttributes', 'otherDomains'],
  numbers: ['expireInHours', 'refreshExpireInHours', 'cookieExpireInHours', 'failedSigninLimit', 'failedSigninFrozenTime'],
} as const;

/** Provider items a masked application keeps; of Email and SMS ones only the category and rule. */
export const APPLICATION_PROVIDER_CATEGORIES = ['OAuth', 'Web3', 'Captcha', 'SAML', 'Face ID', 'Email', 'SMS'] as const;
export const APPLICATION_PROVIDER_CATEGORY_ONLY = ['Email', 'SMS'] as const;

/** The organizationObj of a masked application (mfaItems and accountItems depend on the caller, see the sandbox). */
export const APPLICATION_ORGANIZATION_MASK = {
  strings: [
    'masterPassword', 'defaultPassword', 'masterVerificationCode', 'passwordType', 'passwordSalt', 'ipWhitelist',
    'kerberosRealm', 'kerberosKdcHost', 'kerberosKeytab', 'kerberosServiceName',
  ],
  flags: ['enableSoftDeletion'],
  numbers: ['initScore', 'orgBalance', 'userBalance', 'balanceCredit'],
} as const;

interface ColumnMask { strings: readonly string[]; flags: readonly string[]; numbers: readonly string[]; lists?: readonly string[] }

/** Writes the mask's values in place; `presentOnly` leaves out columns the row does not carry. */
export function applyColumnMask(row: Rec, mask: ColumnMask, presentOnly = false): Rec {
  const set = (key: string, value: unknown): void => {
    if (!presentOnly || key in row) row[key] = value;
  };
  for (const key of mask.strings) set(key, '***');
  for (const key of mask.flags) set(key, false);
  for (const key of mask.numbers) set(key, -1);
  for (const key of mask.lists ?? []) set(key, []);
  return row;
}

/** GetMaskedUser: "***" for a set password, whoever asks. */
export const USER_MASKED_ALWAYS = ['password'] as const;
/** GetMaskedUser: "***" when set, unless the caller is an admin or the user himself. */
export const USER_MASKED_UNLESS_ADMIN_OR_SELF = ['originalToken', 'originalRefreshToken'] as const;
/** The same for properties holding an upstream provider's tokens. */
export const isProviderTokenProperty = (key: string): boolean =>
  key.startsWith('oauth_') && (key.endsWith('_accessToken') || key.endsWith('_refreshToken'));
/** Every user column Casdoor masks or empties for someone: a view that hides credentials hides at least these. */
export const USER_MASKED_COLUMNS: readonly string[] = [
  ...USER_MASKED_ALWAYS, ...USER_MASKED_UNLESS_ADMIN_OR_SELF, 'totpSecret', 'recoveryCodes', 'managedAccounts', 'mfaAccounts',
];

/** GetMaskedUser, in place. get-users masks every row as for a caller who is neither admin nor self. */
export function maskUser(user: Rec, adminOrSelf: boolean): Rec {
  for (const key of USER_MASKED_ALWAYS) if (user[key] !== '') user[key] = '***';
  if (!adminOrSelf) {
    for (const key of USER_MASKED_UNLESS_ADMIN_OR_SELF) if (key in user && user[key] !== '') user[key] = '***';
    const props = user.properties as Record<string, string> | null | undefined;
    if (props) for (const key of Object.keys(props)) if (isProviderTokenProperty(key)) props[key] = '***';
  }
  for (const account of (user.managedAccounts as Rec[] | null | undefined) ?? []) account.password = '***';
  for (const account of (user.mfaAccounts as Rec[] | null | undefined) ?? []) account.secretKey = '***';
  if ('totpSecret' in user && user.totpSecret !== '') user.totpSecret = '';
  if ('recoveryCodes' in user && user.recoveryCodes !== null) user.recoveryCodes = null;
  return user;
}

/** GetMaskedOrganization: "***" when set, for everyone / for all but global admins. */
export const ORGANIZATION_MASKED_ALWAYS = ['masterPassword', 'defaultPassword', 'masterVerificationCode'] as const;
export const ORGANIZATION_MASKED_UNLESS_GLOBAL_ADMIN = ['passwordObfuscatorKey', 'passwordSalt'] as const;

export function maskOrganization(org: Rec, globalAdmin: boolean): Rec {
  const keys = globalAdmin ? ORGANIZATION_MASKED_ALWAYS : [...ORGANIZATION_MASKED_ALWAYS, ...ORGANIZATION_MASKED_UNLESS_GLOBAL_ADMIN];
  for (const key of keys) if (org[key] !== '') org[key] = '***';
  return org;
}

/** GetMaskedProvider, for all but global admins: "***" when set; clientSecret2 of Email providers is kept. */
export const PROVIDER_MASKED = ['clientSecret', 'clientSecret2'] as const;

export function maskProvider(provider: Rec): Rec {
  if (provider.clientSecret !== '') provider.clientSecret = '***';
  if (provider.category !== 'Email' && provider.clientSecret2 !== '') provider.clientSecret2 = '***';
  return provider;
}
