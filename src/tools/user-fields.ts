import { z } from 'zod';
import { USER_MASKED_COLUMNS } from '../casdoor/masking.js';
import { applicationName } from './application-fields.js';

/**
 * Casdoor's user columns an agent may set (object/user.go), each with the column name Casdoor's
 * update-user `columns` parameter takes. Strict: a misspelt or injected field is refused with
 * -32602. Passwords, keys, MFA secrets, ownership and soft deletion are deliberately not here.
 */
const name = applicationName;
const text = z.string().max(1000);

export const UserFields = z
  .object({
    name: name.describe('The part after "<organization>/" in the id. Letters, digits and single "-", "_" or "." between them'),
    displayName: z.string().min(1).max(100).describe('Shown name (Casdoor requires one)'),
    firstName: z.string().max(100),
    lastName: z.string().max(100),
    avatar: z.string().max(500).describe('Image URL'),
    email: z.string().max(100).describe('Unique within the organization'),
    emailVerified: z.boolean(),
    phone: z.string().max(100).describe('Without the country code; unique within the organization'),
    countryCode: z.string().max(6).describe('The phone\'s ISO country code, e.g. "US"'),
    region: z.string().max(100),
    location: z.string().max(100),
    address: z.array(z.string()).nullable(),
    affiliation: z.string().max(100),
    title: z.string().max(100),
    homepage: z.string().max(100),
    bio: z.string().max(100),
    tag: z.string().max(100).describe('Free text, e.g. "staff"'),
    language: z.string().max(100),
    gender: z.string().max(100),
    birthday: z.string().max(100),
    education: z.string().max(100),
    score: z.number().int(),
    karma: z.number().int(),
    ranking: z.number().int(),
    type: z.string().max(100).describe('e.g. "normal-user"'),
    isAdmin: z.boolean().describe('Administrator of their organization (of all, for "built-in" users)'),
    isForbidden: z.boolean().describe('true blocks sign-in and ends their sessions and tokens'),
    signupApplication: name.or(z.literal('')).describe('Default sign-in application, e.g. "app-built-in"'),
    idCardType: z.string().max(100),
    idCard: z.string().max(100),
    realName: z.string().max(100),
    properties: z
      .record(z.string(), z.string())
      .nullable()
      .describe('Custom strings; replaces the whole map (hidden credential-looking keys are kept)'),
    groups: z.array(z.string()).nullable().describe('Group ids "<organization>/<group>"; replaces the whole list'),
    ipWhitelist: text.describe('Comma-separated CIDRs it may sign in from; "" allows all'),
    needUpdatePassword: z.boolean().describe('true: must change the password at next sign-in'),
  })
  .strict();

/** Casdoor's column name for a field (xorm's snake_case mapping). */
export function columnOf(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Never shown to anyone, global admins included: credentials, keys, MFA and biometric secrets, and
 * the hashes Casdoor derives from them (casdoor.md §3.3: get-account even carries an access token).
 */
const SECRET_KEYS = [
  ...USER_MASKED_COLUMNS, 'passwordSalt', 'accessKey', 'accessSecret', 'accessToken', 'hash', 'preHash',
  'webauthnCredentials', 'faceIds', 'multiFactorAuths', 'invitationCode', 'mfaRadiusUsername',
];

/**
 * Properties never shown: every oauth_* key (Casdoor keeps what providers return there, session keys
 * and client secrets included) and any key that looks like a credential.
 */
export const SECRET_PROPERTY = /^oauth_|secret|token|passw|pwd|credential|session|cookie|api[-_]?key|private|salt|otp|(^|[-_.])key$/i;

/** The hidden part of a properties map, kept when a caller replaces the map they were shown. */
export function hiddenProperties(properties: unknown): Record<string, string> {
  if (!properties || typeof properties !== 'object' || Array.isArray(properties)) return {};
  return Object.fromEntries(Object.entries(properties as Record<string, string>).filter(([k]) => SECRET_PROPERTY.test(k)));
}

/** What any caller may see of a user. */
export function presentUser(user: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...user };
  for (const key of SECRET_KEYS) delete out[key];
  if (out.properties && typeof out.properties === 'object' && !Array.isArray(out.properties)) {
    out.properties = Object.fromEntries(Object.entries(out.properties).filter(([k]) => !SECRET_PROPERTY.test(k)));
  }
  return out;
}

/** "<organization>/<name>", both parts free of the characters Casdoor forbids. */
export const userId = z
  .string()
  .regex(/^[^/]+\/[^/]+$/, 'user ids look like "<organization>/<name>", e.g. "acme/alice"')
  .refine((v) => v.split('/').every((part) => name.safeParse(part).success), 'the id has characters Casdoor forbids')
  .describe('"<organization>/<name>", e.g. "acme/alice"; get_users finds names');

export function splitUserId(id: string): { owner: string; name: string } {
  const [owner = '', userName = ''] = id.split('/');
  return { owner, name: userName };
}

export const UserOut = z.object({ owner: z.string(), name: z.string() }).passthrough();
export type UserOut = z.infer<typeof UserOut>;

export const isBuiltInAdmin = (owner: string, userName: string): boolean => owner === 'built-in' && userName === 'admin';
