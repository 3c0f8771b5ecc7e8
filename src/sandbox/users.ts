// Users: controllers/user.go + object/user.go, on the family declaration; get-user's lookups and
// update-user's column rules are Casdoor's own, so those two handlers are written out.
import { hashPassword } from './passwords.js';
import { currentUser, isAdmin, isAdminOrSelf, isGlobalAdmin } from './auth.js';
import type { Ctx, SandboxContext } from './context.js';
import { action, fail, ok, PLEASE_LOGIN, UNAUTHORIZED, type Envelope } from './envelope.js';
import type { Family, Table } from './family.js';
import { maskUser } from './masking.js';
import { PROVIDER_FIELDS, present, USER } from './schema.js';
import { getOrganization } from './store.js';
import type { User } from './types.js';
import { columnKey, getId, randomHex, rfc3339, splitId, uuid } from './util.js';
import { checkIpWhitelist, decodeBody } from './validate.js';

type Rec = Record<string, unknown>;

const USERNAME_RE = /^[a-zA-Z0-9]+([-._][a-zA-Z0-9]+)*$/;
const EXCLUDED_PROVIDERS = ['metamask', 'web3onboard', 'custom2', 'custom3', 'custom4', 'custom5', 'custom6', 'custom7', 'custom8', 'custom9', 'custom10'];
// object.UpdateUser's default column list (password is not in it) and the admin-only additions.
const DEFAULT_COLUMNS = [
  ...`owner display_name avatar first_name last_name location address addresses country_code region language
  affiliation title id_card_type id_card homepage bio tag gender birthday education score karma ranking
  signup_application register_type register_source hash is_default_avatar properties webauthnCredentials
  mfa_items last_change_password_time managedAccounts face_ids mfaAccounts signin_wrong_times
  last_signin_wrong_time groups mfa_phone_enabled mfa_email_enabled email_verified type need_update_password
  ip_whitelist mfa_remember_deadline cart application_scopes`.trim().split(/\s+/),
  ...PROVIDER_FIELDS.trim().split(/\s+/).filter((p) => !EXCLUDED_PROVIDERS.includes(p)),
].map(columnKey);
const ADMIN_COLUMNS = `name id email phone country_code type balance balance_credit balance_currency mfa_items
  register_type register_source is_admin is_forbidden is_deleted uid_number`.trim().split(/\s+/).map(columnKey);

function masked(user: Rec, adminOrSelf: boolean): Rec {
  return maskUser(present(USER, user), adminOrSelf);
}

// Lists carry the rows only: roles and permissions are not columns, so they read null.
// GetMaskedUsers masks lists as for a stranger (isAdminOrSelf = false).
function listed(user: Rec): Rec {
  const out = maskUser(user, false);
  out.roles = null;
  out.permissions = null;
  return out;
}

// GetUser / get-account extend the row: roles, permissions, groups as lists and the MFA summary.
export function extendUser(ctx: SandboxContext, user: Rec): Rec {
  for (const key of ['roles', 'permissions', 'groups']) user[key] ??= [];
  const remember = Number(getOrganization(ctx.store, String(user.owner))?.mfaRememberInHours ?? 0);
  const enabled: Record<string, boolean> = {
    sms: user.mfaPhoneEnabled === true, email: user.mfaEmailEnabled === true, app: user.totpSecret !== '',
    radius: user.mfaRadiusEnabled === true, push: user.mfaPushEnabled === true,
  };
  user.multiFactorAuths = Object.entries(enabled).map(([mfaType, on]) => ({
    enabled: on, isPreferred: user.preferredMfaType === mfaType, mfaType, mfaRememberInHours: remember,
  }));
  return user;
}

// terminateUserAccess: expire the user's tokens and drop its sessions.
export function terminateUserAccess(ctx: SandboxContext, owner: string, name: string): void {
  ctx.store.tokens.expireForUser(owner, name);
  for (const [sid, session] of ctx.store.sessions) if (session.user === getId(owner, name)) ctx.store.sessions.delete(sid);
}

// get-account: the extended user, with empty lists rather than null.
export function accountView(ctx: SandboxContext, stored: User, shown: Rec): Rec {
  const out: Rec = { ...extendUser(ctx, { ...shown, totpSecret: stored.totpSecret }), totpSecret: shown.totpSecret };
  out.address ??= [];
  out.properties ??= {};
  return out;
}

// CheckUserPermission(strict): self, global admins, apps and admins of the same organization.
function checkUserPermission(ctx: SandboxContext, caller: string, target: User): string | null {
  if (caller === '') return PLEASE_LOGIN;
  if (caller.startsWith('app/')) return null;
  const me = ctx.store.users.get(caller);
  if (!me) return 'Session outdated, please login again';
  if (me.owner === 'built-in' || caller === getId(target.owner, target.name)) return null;
  return me.owner === target.owner && me.isAdmin ? null : UNAUTHORIZED;
}

function getUser(c: Ctx, ctx: SandboxContext): Response {
  const q = (name: string): string => c.req.query(name) ?? '';
  let id = q('id');
  let owner = q('owner');
  const email = q('email');
  const phone = q('phone');
  const userId = q('userId');
  const users = [...ctx.store.users.values()];
  let byUserId: User | undefined;
  if (userId && owner) {
    byUserId = users.find((u) => u.owner === owner && u.id === userId);
    if (!byUserId) return c.json(ok(null));
    id = getId(byUserId.owner, byUserId.name);
  }
  let user: User | undefined;
  if (id === '' && owner === '') {
    if (email) user = users.find((u) => u.email === email);
    else if (phone) user = users.find((u) => u.phone === phone);
    else if (userId) user = users.find((u) => u.id === userId);
  } else {
    if (owner === '') owner = id.split('/')[0] ?? '';
    if (email) user = users.find((u) => u.owner === owner && u.email === email);
    else if (phone) user = users.find((u) => u.owner === owner && samePhone(u, phone));
    else if (userId) user = byUserId;
    else {
      const parts = splitId(id);
      if ('error' in parts) return c.json(fail(parts.error));
      user = ctx.store.users.get(id);
    }
  }
  if (!user) return c.json(ok(null));
  const org = getOrganization(ctx.store, user.owner);
  if (!org) return c.json(fail(`The organization: ${owner} does not exist`));
  const caller = c.get('caller');
  if (!org.isProfilePublic) {
    const denied = checkUserPermission(ctx, caller, user);
    if (denied) return c.json(fail(denied));
  }
  const adminOrSelf = isAdminOrSelf(ctx, caller, user) || caller.startsWith('app/');
  // totpSecret is read before masking blanks it.
  const out = masked(user, adminOrSelf);
  return c.json(ok({ ...extendUser(ctx, { ...out, totpSecret: user.totpSecret }), totpSecret: out.totpSecret }));
}

// A phone matches with or without the country's calling code in front ("+1" for US).
const CALLING_CODES: Record<string, string> = { US: '1', CA: '1', GB: '44', DE: '49', FR: '33', CN: '86', JP: '81', IN: '91' };
function samePhone(user: User, phone: string): boolean {
  if (user.phone === phone) return true;
  const code = CALLING_CODES[String(user.countryCode)];
  return !!code && user.phone !== '' && phone === `+${code}${user.phone}`;
}

// object.CheckUpdateUser (username rules, duplicate name/email/phone, IP whitelist).
function checkUpdateUser(ctx: SandboxContext, old: Rec, user: Rec): string | null {
  const owner = String(user.owner);
  const others = [...ctx.store.users.values()].filter((u) => u.owner === owner && !(u.owner === old.owner && u.name === old.name));
  if (old.name !== user.name) {
    const orgName = String(old.owner || user.owner);
    if (!getOrganization(ctx.store, orgName)) return `The organization: ${orgName} does not exist`;
    const name = String(user.name);
    if (name === '') return 'Empty username.';
    if (name.length > 255) return 'Username is too long (maximum is 255 characters).';
    if (!USERNAME_RE.test(name)) {
      return 'The username may only contain alphanumeric characters, underlines or hyphens, cannot have consecutive hyphens or underlines, and cannot begin or end with a hyphen or underline.';
    }
    if (others.some((u) => u.name === name)) return 'Username already exists';
  }
  if (old.email !== user.email && others.some((u) => u.email === user.email)) return 'Email already exists';
  if (old.phone !== user.phone && user.phone !== '' && others.some((u) => u.phone === user.phone)) return 'Phone already exists';
  if (old.ipWhitelist !== user.ipWhitelist) return checkIpWhitelist(user.ipWhitelist);
  return null;
}

function prepareAdd(user: Rec, ctx: SandboxContext, c: Ctx): Envelope | undefined {
  const problem = checkUpdateUser(ctx, present(USER, {}), user);
  if (problem) return fail(problem);
  if (user.registerType === '') user.registerType = 'Add User';
  const me = currentUser(ctx, c.get('caller'));
  if (user.registerSource === '' && me) user.registerSource = getId(me.owner, me.name);
  if (user.id === '') user.id = uuid();
  if (user.owner === '' || user.name === '') return action(false, 'the user\'s owner and name should not be empty');
  const org = getOrganization(ctx.store, String(user.owner));
  if (!org) return action(false, `the organization: ${String(user.owner)} is not found`);
  if (user.owner !== 'built-in' && ![...ctx.store.applications.values()].some((a) => a.organization === org.name || a.isShared)) {
    return action(false, `The organization: ${org.owner} should have one application at least`);
  }
  if (org.name === 'built-in' && !org.hasPrivilegeConsent && user.name !== 'admin') {
    return action(false, 'adding a new user to the \'built-in\' organization is currently disabled. Please note: all users in the \'built-in\' organization are global administrators in Casdoor. Refer to the docs: https://casdoor.org/docs/basic/core-concepts#how-does-casdoor-manage-itself. If you still wish to create a user for the \'built-in\' organization, go to the organization\'s settings page and enable the \'Has privilege consent\' option.');
  }
  if (user.balanceCurrency === '') user.balanceCurrency = String(org.balanceCurrency || 'USD');
  if (user.avatar === '') user.avatar = org.defaultAvatar;
  if (org.defaultPassword && user.password === '123') user.password = org.defaultPassword;
  if (user.passwordType === '' || user.passwordType === 'plain') user.passwordType = org.passwordType;
  // object.AddUser hashes the password with the organization's credential manager.
  user.password = hashPassword(String(user.passwordType), String(user.password), String(org.passwordSalt ?? ''));
  if (user.createdTime === '') user.createdTime = rfc3339(ctx.clock());
  // Measured: a salt is always generated, and ranking is the user's position in the organization.
  if (user.passwordSalt === '') user.passwordSalt = randomHex(10);
  if (user.ranking === 0) user.ranking = [...ctx.store.users.values()].filter((u) => u.owner === user.owner).length + 1;
  if (user.updatedTime === '') user.updatedTime = user.createdTime;
  return undefined;
}

function updateUser(c: Ctx, ctx: SandboxContext): Response {
  const caller = c.get('caller');
  const columnsParam = c.req.query('columns') ?? '';
  let decoded = decodeBody(c, USER);
  if (!decoded.ok) return c.json(fail(decoded.error));
  let id = c.req.query('id') ?? '';
  if (id === '') id = caller;
  if (id === '') return c.json(fail('Missing parameter'));
  const parts = splitId(id);
  if ('error' in parts) return c.json(fail(parts.error));
  const old = ctx.store.users.get(id);
  if (!old) return c.json(fail(`The user: ${id} doesn't exist`));
  if (columnsParam !== '') {
    decoded = decodeBody(c, USER, old);
    if (!decoded.ok) return c.json(fail(decoded.error));
  }
  const user = decoded.value;
  if (old.owner === 'built-in' && old.name === 'admin' && (user.owner !== 'built-in' || user.name !== 'admin')) {
    return c.json(fail(UNAUTHORIZED));
  }
  if (!isGlobalAdmin(ctx, caller) && user.owner !== old.owner) return c.json(fail(UNAUTHORIZED));
  if (user.mfaEmailEnabled && user.email === '') return c.json(fail('MFA email is enabled but email is empty'));
  if (user.mfaPhoneEnabled && user.phone === '') return c.json(fail('MFA phone is enabled but phone number is empty'));
  const problem = checkUpdateUser(ctx, old, user);
  if (problem) return c.json(fail(problem));
  if (old.displayName !== user.displayName && user.displayName === '' && !c.req.query('allowEmpty')) {
    return c.json(fail('Display name cannot be empty'));
  }
  if (user.password === '***') user.password = old.password;
  // Measured: a body that would change the id (a bare body without columns has id "") is refused.
  if (user.id !== old.id && (columnsParam === '' || !isAdmin(ctx, caller))) return c.json(fail('The ID is immutable.'));
  user.updatedTime = rfc3339(ctx.clock());
  let columns = columnsParam === '' ? [...DEFAULT_COLUMNS] : columnsParam.split(',').map(columnKey);
  if (columnsParam === '' && isAdmin(ctx, caller)) columns = columns.concat(ADMIN_COLUMNS);
  // A non-admin's admin-only columns are dropped without an error (measured: "Affected", unchanged).
  if (!isAdmin(ctx, caller)) columns = columns.filter((col) => !ADMIN_COLUMNS.includes(col) || DEFAULT_COLUMNS.includes(col));
  columns.push(columnKey('updated_time'));
  if (user.deletedTime !== '') columns.push(columnKey('deleted_time'));
  // Cols(columns): only the listed columns are written.
  const next: Rec = { ...old };
  for (const f of USER.fields) if (columns.includes(columnKey(f.name))) next[f.name] = user[f.name];
  const newKey = getId(String(next.owner), String(next.name));
  if (newKey !== id && ctx.store.users.has(newKey)) return c.json(fail('UNIQUE constraint failed: user.owner, user.name'));
  const revoked = !old.isForbidden && !old.isDeleted && (next.isForbidden === true || next.isDeleted === true);
  ctx.store.users.delete(id);
  ctx.store.users.set(newKey, next as User);
  if (revoked) terminateUserAccess(ctx, old.owner, old.name);
  return c.json(action(true));
}

// Deleting a user ends its sessions and tokens; with soft deletion the row stays, marked deleted.
function onDelete(user: Rec, ctx: SandboxContext): 'kept' | undefined {
  terminateUserAccess(ctx, String(user.owner), String(user.name));
  if (!getOrganization(ctx.store, String(user.owner))?.enableSoftDeletion) return undefined;
  user.isDeleted = true;
  user.deletedTime = rfc3339(ctx.clock());
  return 'kept';
}

export const users: Family = {
  singular: 'user',
  plural: 'users',
  table: 'user',
  schema: USER,
  rows: (store) => store.users as unknown as Table,
  endpoints: ['list', 'get', 'add', 'update', 'delete'],
  access: { get: { anyone: true }, update: { self: true } },
  mask: (row) => listed(row),
  prepareAdd,
  duplicate: action(false, 'UNIQUE constraint failed: user.owner, user.name'),
  undeletable: (row) => (row.owner === 'built-in' && row.name === 'admin' ? UNAUTHORIZED : undefined),
  onDelete,
  // get-user finds users by email, phone and uuid too; update-user writes only the listed columns (Cols).
  override: { get: (c, ctx) => getUser(c, ctx), update: (c, ctx) => updateUser(c, ctx) },
};
