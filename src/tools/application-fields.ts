import { z } from 'zod';
import { APPLICATION_MASK, applyColumnMask } from '../casdoor/masking.js';
import { CASDOOR_FORBIDDEN_NAME_CHARS, isCidr } from '../casdoor/rules.js';

/**
 * Casdoor's application columns (casdoor.md §2.4) as an input schema. Strict at the top level, so a
 * misspelt or injected field is refused with -32602 naming it instead of reaching Casdoor.
 */
const item = z.record(z.string(), z.unknown());
const strings = z.array(z.string());
/** Casdoor reads a list it was never given as null (measured), so null is accepted wherever it answers one. */
const list = <T extends z.ZodTypeAny>(of: T) => z.array(of).nullable();
const stringList = list(z.string());

/** Casdoor's forbidden name characters, and (stricter than Casdoor) whitespace and control characters. */
const escaped = CASDOOR_FORBIDDEN_NAME_CHARS.replace(/[\\\]^-]/g, '\\$&');
export const FORBIDDEN_NAME_CHARS = new RegExp(`[${escaped}\\s\\u0000-\\u001f\\u007f]`);
export const applicationName = z
  .string()
  .min(1)
  .max(100)
  .refine((v) => !FORBIDDEN_NAME_CHARS.test(v), 'must not contain / ? : # & % = + ; whitespace or control characters');

export const ApplicationFields = z
  .object({
    name: applicationName.describe('The part after "admin/" in its id. Letters, digits, "-", "_", "." are safe'),
    displayName: z.string().max(200).describe('Shown on the sign-in page'),
    organization: applicationName.describe(
      'Whose users sign in through it, e.g. "built-in" (must exist). Only global admins may move it to another',
    ),
    category: z.string(),
    type: z.string(),
    description: z.string(),
    logo: z.string(),
    title: z.string(),
    favicon: z.string(),
    order: z.number().int(),
    homepageUrl: z.string(),
    cert: z.string().describe('Certificate signing its tokens; default the organization\'s, else "cert-built-in"'),
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
    isShared: z.boolean().describe('Shared with every organization; only for "built-in" applications'),
    orgChoiceMode: z.string(),
    samlReplyUrl: z.string(),
    providers: list(item),
    signinMethods: list(item),
    signupItems: list(item),
    signinItems: list(item),
    grantTypes: stringList.describe(
      'OAuth grant types. Interactive apps and agents: ["authorization_code","refresh_token"]; machine-to-machine: ["client_credentials"]. ' +
        'Others: password, implicit, token, id_token, urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange. Default ["authorization_code"]',
    ),
    tags: stringList,
    samlAttributes: list(item),
    samlHashAlgorithm: z.string(),
    samlC14nPrefix: z.string(),
    ipRestriction: z.string(),
    scopes: list(z.object({ name: z.string().min(1), displayName: z.string(), description: z.string(), tools: strings.nullable().optional() }).strict())
      .describe(
        'OAuth scopes accepted in token requests, e.g. [{"name":"read:application","displayName":"Read applications","description":"..."}]; tools: the MCP tools a scope grants. Replaces the whole list',
      ),
    customScopes: list(z.object({ scope: z.string().min(1), displayName: z.string(), description: z.string() }).strict())
      .describe('Scopes on the consent screen: [{"scope":"read:application","displayName":"...","description":"..."}]'),
    clientId: z.string().describe('Leave out: Casdoor generates it. Must be unique'),
    clientSecret: z.string().describe('Leave out to keep it (generated on creation). Never shown in change lists'),
    clientCert: z.string(),
    redirectUris: stringList.describe(
      'Allowed in the authorization-code flow, e.g. ["https://app.example.com/callback"]. Matched as regular expressions: escape dots for an exact match. Replaces the whole list',
    ),
    backchannelLogoutUri: z.string(),
    forcedRedirectOrigin: z.string(),
    tokenFormat: z
      .enum(['JWT', 'JWT-Empty', 'JWT-Custom', 'JWT-Standard'])
      .describe('Access token format: JWT (default) carries the whole user; JWT-Empty only ids; JWT-Standard OIDC claims; JWT-Custom the tokenFields'),
    tokenSigningMethod: z.enum(['', 'RS256', 'RS512', 'ES256', 'ES384', 'ES512']).describe('Token signature algorithm; "": the cert\'s'),
    tokenFields: stringList.describe('User fields in JWT-Custom tokens, e.g. ["name","email"]'),
    tokenAttributes: list(item),
    // > 0 is checked by the tools on a changed value: an object as read may carry app-built-in's 0.
    expireInHours: z
      .number()
      .describe('Access token lifetime in hours, > 0 (0 would expire tokens at once); default 168, 1 suits agents'),
    refreshExpireInHours: z.number().describe('Refresh token lifetime in hours, > 0 (default 168)'),
    cookieExpireInHours: z.number().int().nonnegative().describe('Sign-in session cookie lifetime in hours (default 720)'),
    signupUrl: z.string(),
    signinUrl: z.string(),
    forgetUrl: z.string(),
    affiliationUrl: z.string(),
    ipWhitelist: z.string().describe('Comma-separated CIDRs that may sign in, e.g. "10.0.0.0/8,192.168.1.0/24"; "" allows all'),
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
    otherDomains: stringList,
    upstreamHost: z.string(),
    sslMode: z.string(),
    sslCert: z.string(),
  })
  .strict();

/** Values that are secret material: reported as changed, never shown, in update results. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['clientSecret', 'clientCert', 'registrationAccessToken', 'sslCert']);

/** Derived, read-only objects Casdoor attaches to reads; large, and never written back. */
const DERIVED = ['organizationObj', 'CertObj', 'certPublicKey'] as const;

/** What a caller may see of an application: derived objects dropped; Casdoor's masking unless `revealSecrets`. */
export function presentApplication(app: Record<string, unknown>, revealSecrets: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...app };
  for (const k of DERIVED) delete out[k];
  if (revealSecrets) return out;
  // The columns Casdoor itself masks for whoever is not the application's admin.
  applyColumnMask(out, APPLICATION_MASK, true);
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

/**
 * The cert a new application of `org` gets: the organization's own default when its object names one
 * (Casdoor v3.158's Organization has no such field, so in practice this is "cert-built-in").
 */
export function organizationCert(org: Record<string, unknown>): string {
  for (const key of ['defaultCert', 'cert']) {
    const v = org[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  return 'cert-built-in';
}

/**
 * Checks Casdoor applies to a written application, done first so a dry run reports them too.
 * Returns what is wrong, or undefined.
 */
export function applicationProblem(merged: Record<string, unknown>, patch: Record<string, unknown>): string | undefined {
  if (patch.isShared === true && merged.organization !== 'built-in') {
    return 'only applications of the built-in organization can be shared (isShared)';
  }
  if (typeof patch.ipWhitelist === 'string' && patch.ipWhitelist !== '') {
    const bad = patch.ipWhitelist.split(',').find((entry) => !isCidr(entry));
    if (bad !== undefined) return `ipWhitelist: ${JSON.stringify(bad)} is not a CIDR such as 10.0.0.0/8 (comma-separated, no spaces)`;
  }
  return undefined;
}
