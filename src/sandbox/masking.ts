// Read-side masking, following object/application_util.go GetMaskedApplication,
// object/user.go GetMaskedUser and object/organization.go GetMaskedOrganization.
import { FAILED_SIGNIN_FROZEN_MINUTES, FAILED_SIGNIN_LIMIT } from './defaults.js';
import type { SandboxStore } from './types.js';

export function isGlobalAdminId(id: string): boolean {
  return id.startsWith('built-in/') || id.startsWith('app/') || id.startsWith('app-dcr/');
}

type Rec = Record<string, unknown>;

// Global admins, and admins of the app's organization (or of any org for a shared app), see everything.
function isApplicationAdmin(store: SandboxStore, callerId: string, app: Rec): { admin: boolean; orgUser: boolean } {
  if (!callerId) return { admin: false, orgUser: false };
  if (isGlobalAdminId(callerId)) return { admin: true, orgUser: true };
  const user = store.users.get(callerId);
  if (!user) return { admin: false, orgUser: false };
  const admin = (user.owner === app.organization && user.isAdmin) || user.owner === 'built-in' || (user.isAdmin && app.isShared === true);
  return { admin, orgUser: user.owner === app.organization };
}

export function maskApplication(store: SandboxStore, app: Rec, callerId: string): Rec {
  if (app.tokenFields === null) app.tokenFields = [];
  if (app.failedSigninLimit === 0) app.failedSigninLimit = FAILED_SIGNIN_LIMIT;
  if (app.failedSigninFrozenTime === 0) app.failedSigninFrozenTime = FAILED_SIGNIN_FROZEN_MINUTES;
  const { admin, orgUser } = isApplicationAdmin(store, callerId, app);
  if (admin) return app;

  for (const key of ['clientSecret', 'clientCert', 'cert', 'registrationAccessToken', 'ipWhitelist',
    'backchannelLogoutUri', 'samlReplyUrl', 'tokenFormat', 'tokenSigningMethod', 'domain', 'upstreamHost',
    'sslMode', 'sslCert']) app[key] = '***';
  for (const key of ['enablePassword', 'enableSigninSession', 'enableCodeSignin', 'enableSamlCompress',
    'enableSamlC14n10', 'enableSamlPostBinding', 'disableSamlAttributes', 'enableWebAuthn',
    'enableLinkWithEmail']) app[key] = false;
  for (const key of ['grantTypes', 'redirectUris', 'tokenFields', 'tokenAttributes', 'otherDomains']) app[key] = [];
  for (const key of ['expireInHours', 'refreshExpireInHours', 'cookieExpireInHours', 'failedSigninLimit',
    'failedSigninFrozenTime']) app[key] = -1;

  // Provider items without a loaded provider are dropped; secrets of kept ones are never stored here.
  const providers = Array.isArray(app.providers) ? app.providers as Rec[] : [];
  app.providers = providers.filter((item) => {
    const provider = item.provider as Rec | null | undefined;
    return provider && ['OAuth', 'Web3', 'Captcha', 'SAML', 'Face ID', 'Email', 'SMS'].includes(String(provider.category));
  }).map((item) => {
    const provider = item.provider as Rec;
    const category = String(provider.category);
    if (category === 'Email' || category === 'SMS') {
      return { countryCodes: item.countryCodes ?? null, rule: item.rule ?? '', provider: { category } };
    }
    return item;
  });

  const org = app.organizationObj as Rec | null;
  if (org) {
    for (const key of ['masterPassword', 'defaultPassword', 'masterVerificationCode', 'passwordType',
      'passwordSalt', 'ipWhitelist', 'kerberosRealm', 'kerberosKdcHost', 'kerberosKeytab',
      'kerberosServiceName']) org[key] = '***';
    for (const key of ['initScore', 'orgBalance', 'userBalance', 'balanceCredit']) org[key] = -1;
    org.enableSoftDeletion = false;
    if (!orgUser) {
      org.mfaItems = null;
      if (!org.isProfilePublic) org.accountItems = null;
    }
  }
  return app;
}

// GetMaskedUser; passwordSalt is additionally hidden from everyone but global admins.
export function maskUser(user: Rec, opts: { adminOrSelf: boolean; globalAdmin: boolean }): Rec {
  if (user.password !== '') user.password = '***';
  if (!opts.adminOrSelf) {
    for (const key of ['accessSecret', 'originalToken', 'originalRefreshToken']) {
      if (key in user && user[key] !== '') user[key] = '***';
    }
    const props = user.properties as Record<string, string> | null;
    if (props) {
      for (const key of Object.keys(props)) {
        if (key.startsWith('oauth_') && (key.endsWith('_accessToken') || key.endsWith('_refreshToken'))) props[key] = '***';
      }
    }
  }
  if (!opts.globalAdmin && user.passwordSalt !== '') user.passwordSalt = '***';
  for (const account of (user.managedAccounts as Rec[] | null) ?? []) account.password = '***';
  for (const account of (user.mfaAccounts as Rec[] | null) ?? []) account.secretKey = '***';
  if (user.totpSecret !== '') user.totpSecret = '';
  if (user.recoveryCodes !== null) user.recoveryCodes = null;
  return user;
}

export function maskOrganization(org: Rec, globalAdmin: boolean): Rec {
  for (const key of ['masterPassword', 'defaultPassword', 'masterVerificationCode']) {
    if (org[key] !== '') org[key] = '***';
  }
  if (!globalAdmin) {
    for (const key of ['passwordObfuscatorKey', 'passwordSalt']) {
      if (org[key] !== '') org[key] = '***';
    }
  }
  return org;
}
