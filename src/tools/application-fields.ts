import { z } from 'zod';

/**
 * Casdoor's application columns (casdoor.md §2.4) as an input schema. Strict at the top level, so a
 * misspelt or injected field is refused with -32602 naming it instead of reaching Casdoor.
 */
const item = z.record(z.string(), z.unknown());
const strings = z.array(z.string());

/** Characters Casdoor's field validation forbids in names. */
export const FORBIDDEN_NAME_CHARS = /[/?:#&%=+;\s\u0000-\u001f\u007f]/;
export const applicationName = z
  .string()
  .min(1)
  .max(100)
  .refine((v) => !FORBIDDEN_NAME_CHARS.test(v), 'must not contain / ? : # & % = + ; whitespace or control characters');

export const ApplicationFields = z
  .object({
    name: applicationName,
    displayName: z.string().max(200),
    organization: applicationName.describe('The organization the application belongs to, e.g. "built-in"'),
    category: z.string(),
    type: z.string(),
    description: z.string(),
    logo: z.string(),
    title: z.string(),
    favicon: z.string(),
    order: z.number().int(),
    homepageUrl: z.string(),
    cert: z.string().describe('Name of the certificate that signs tokens, e.g. "cert-built-in"'),
    defaultGroup: z.string(),
    defaultTag: z.string(),
    headerHtml: z.string(),
    pageHtml: z.string(),
    enablePassword: z.boolean(),
    enableSignUp: z.boolean(),
    enableGuestSignin: z.boolean(),
    disableSignin: z.boolean(),
    enableSigninSession: z.boolean(),
    enableAutoSignin: z.boolean(),
    enableCodeSignin: z.boolean(),
    enableExclusiveSignin: z.boolean(),
    enableSamlCompress: z.boolean(),
    enableSamlC14n10: z.boolean(),
    enableSamlPostBinding: z.boolean(),
    disableSamlAttributes: z.boolean(),
    enableSamlAssertionSignature: z.boolean(),
    useEmailAsSamlNameId: z.boolean(),
    enableWebAuthn: z.boolean(),
    enableLinkWithEmail: z.boolean(),
    isShared: z.boolean(),
    orgChoiceMode: z.string(),
    samlReplyUrl: z.string(),
    providers: z.array(item),
    signinMethods: z.array(item),
    signupItems: z.array(item),
    signinItems: z.array(item),
    grantTypes: strings.describe(
      'OAuth grant types: authorization_code, implicit, password, client_credentials, refresh_token, token, id_token, urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange',
    ),
    tags: strings,
    samlAttributes: z.array(item),
    samlHashAlgorithm: z.string(),
    samlC14nPrefix: z.string(),
    ipRestriction: z.string(),
    scopes: z
      .array(z.object({ name: z.string().min(1), displayName: z.string(), description: z.string(), tools: strings.optional() }).strict())
      .describe('OAuth scopes this application accepts in token requests'),
    customScopes: z.array(z.object({ scope: z.string().min(1), displayName: z.string(), description: z.string() }).strict()),
    clientId: z.string(),
    clientSecret: z.string(),
    clientCert: z.string(),
    redirectUris: strings.describe('Exact redirect URIs allowed in the authorization-code flow (https URLs; regexes are allowed by Casdoor)'),
    backchannelLogoutUri: z.string(),
    forcedRedirectOrigin: z.string(),
    tokenFormat: z.enum(['JWT', 'JWT-Empty', 'JWT-Custom', 'JWT-Standard']).describe('Access token format; JWT carries the whole user'),
    tokenSigningMethod: z.enum(['', 'RS256', 'RS512', 'ES256', 'ES384', 'ES512']),
    tokenFields: strings,
    tokenAttributes: z.array(item),
    expireInHours: z.number().positive().describe('Access token lifetime in hours (Casdoor UI default 168); keep it short for agents'),
    refreshExpireInHours: z.number().positive(),
    cookieExpireInHours: z.number().int().nonnegative(),
    signupUrl: z.string(),
    signinUrl: z.string(),
    forgetUrl: z.string(),
    affiliationUrl: z.string(),
    ipWhitelist: z.string(),
    termsOfUse: z.string(),
    signupHtml: z.string(),
    signinHtml: z.string(),
    themeData: item.nullable(),
    footerHtml: z.string(),
    formCss: z.string(),
    formCssMobile: z.string(),
    formOffset: z.number().int(),
    formSideHtml: z.string(),
    formBackgroundUrl: z.string(),
    formBackgroundUrlMobile: z.string(),
    failedSigninLimit: z.number().int(),
    failedSigninFrozenTime: z.number().int(),
    codeResendTimeout: z.number().int(),
    domain: z.string(),
    otherDomains: strings,
    upstreamHost: z.string(),
    sslMode: z.string(),
    sslCert: z.string(),
  })
  .strict();

/** Fields Casdoor itself masks for non-admins (§2.5), shown as "***" to anyone but global admins. */
const MASKED_STRINGS = [
  'clientSecret', 'clientCert', 'cert', 'registrationAccessToken', 'ipWhitelist', 'backchannelLogoutUri',
  'samlReplyUrl', 'tokenFormat', 'tokenSigningMethod', 'domain', 'upstreamHost', 'sslMode', 'sslCert',
] as const;
const MASKED_LISTS = ['grantTypes', 'redirectUris', 'tokenFields', 'tokenAttributes', 'otherDomains'] as const;
const MASKED_NUMBERS = ['expireInHours', 'refreshExpireInHours', 'cookieExpireInHours', 'failedSigninLimit', 'failedSigninFrozenTime'] as const;
const MASKED_FLAGS = [
  'enablePassword', 'enableWebAuthn', 'enableSamlCompress', 'enableSamlC14n10', 'enableSamlPostBinding',
  'disableSamlAttributes', 'enableSamlAssertionSignature', 'useEmailAsSamlNameId',
] as const;
/** Values that are secret material: reported as changed, never shown, in update results. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['clientSecret', 'clientCert', 'registrationAccessToken', 'sslCert']);

/** Derived, read-only objects Casdoor attaches to reads; large, and never written back. */
const DERIVED = ['organizationObj', 'CertObj', 'certPublicKey'] as const;

/** What a caller may see of an application: derived objects dropped; Casdoor's masking unless `revealSecrets`. */
export function presentApplication(app: Record<string, unknown>, revealSecrets: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...app };
  for (const k of DERIVED) delete out[k];
  if (revealSecrets) return out;
  for (const k of MASKED_STRINGS) if (k in out) out[k] = '***';
  for (const k of MASKED_LISTS) if (k in out) out[k] = [];
  for (const k of MASKED_NUMBERS) if (k in out) out[k] = -1;
  for (const k of MASKED_FLAGS) if (k in out) out[k] = false;
  if (Array.isArray(out.providers)) {
    // Provider objects carry client ids/secrets of upstream identity providers: keep only the reference.
    out.providers = out.providers.map((p) => {
      const { provider: _provider, ...rest } = (p ?? {}) as Record<string, unknown>;
      return rest;
    });
  }
  return out;
}

/** True when `value` holds Casdoor's mask anywhere: a masked value must never be written back. */
export function containsMask(value: unknown): boolean {
  if (value === '***') return true;
  if (Array.isArray(value)) return value.some(containsMask);
  if (value && typeof value === 'object') return Object.values(value).some(containsMask);
  return false;
}
