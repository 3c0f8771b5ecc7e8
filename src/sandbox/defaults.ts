// Realistic default values Casdoor fills in for new objects (object/application_util.go,
// object/init.go). Kept apart from the seed so add-application can reuse them.
import scopesJson from '../../scopes.json' with { type: 'json' };
import type { ScopeDoc } from '../auth/scopes.js';
import { desiredScopes } from '../cli/scope-plan.js';

export const FAILED_SIGNIN_LIMIT = 5;
export const FAILED_SIGNIN_FROZEN_MINUTES = 15;

export function defaultSignupItems(): Record<string, unknown>[] {
  const rows: Array<[string, boolean, boolean, string]> = [
    ['ID', false, true, 'Random'], ['Username', true, true, 'None'], ['Display name', true, true, 'None'],
    ['Password', true, true, 'None'], ['Confirm password', true, true, 'None'], ['Email', true, true, 'None'],
    ['Phone', true, true, 'None'], ['Agreement', true, true, 'None'], ['Tag', false, false, 'None'],
    ['Languages', true, false, 'None'],
  ];
  return rows.map(([name, visible, required, rule]) => ({
    name, visible, required, prompted: false, type: '', customCss: '', label: '', placeholder: '',
    options: null, regex: '', rule,
  }));
}

// With the CSS Casdoor 3.158 stores for each item (as recorded from a new application).
export function defaultSigninItems(): Record<string, unknown>[] {
  const items: Array<[string, string]> = [
    ['Back button', ".back-button {\n      top: 65px;\n      left: 15px;\n      position: absolute;\n}\n.back-inner-button{}"],
    ['Languages', ".login-languages {\n    top: 55px;\n    right: 5px;\n    position: absolute;\n}"],
    ['Logo', ".login-logo-box {}"],
    ['Signin methods', ".signin-methods {}"],
    ['Username', ".login-username {}\n.login-username-input{}"],
    ['Password', ".login-password {}\n.login-password-input{}"],
    ['Verification code', ".verification-code {}\n.verification-code-input{}"],
    ['Agreement', ".login-agreement {}"],
    ['Forgot password?', ".login-forget-password {\n    display: inline-flex;\n    justify-content: space-between;\n    width: 320px;\n    margin-bottom: 25px;\n}"],
    ['Login button', ".login-button-box {\n    margin-bottom: 5px;\n}\n.login-button {\n    width: 100%;\n}"],
    ['Signup link', ".login-signup-link {\n    margin-bottom: 24px;\n    display: flex;\n    justify-content: end;\n}"],
    ['Providers', ".provider-img {\n      width: 30px;\n      margin: 5px;\n}\n.provider-big-img {\n      margin-bottom: 10px;\n}"],
  ];
  return items.map(([name, customCss]) => ({
    name, visible: true, label: '', customCss, placeholder: '', rule: 'None', isCustom: false,
  }));
}

// extendApplicationWithSigninMethods: derived from the enable* flags when empty.
export function defaultSigninMethods(app: Record<string, unknown>): Record<string, unknown>[] {
  const methods: Record<string, unknown>[] = [];
  if (app.enablePassword) methods.push({ name: 'Password', displayName: 'Password', rule: 'All' });
  if (app.enableCodeSignin) methods.push({ name: 'Verification code', displayName: 'Verification code', rule: 'All' });
  if (app.enableWebAuthn) methods.push({ name: 'WebAuthn', displayName: 'WebAuthn', rule: 'None' });
  methods.push({ name: 'Face ID', displayName: 'Face ID', rule: 'None' });
  return methods;
}

export function uiSigninMethods(): Record<string, unknown>[] {
  return [
    { name: 'Password', displayName: 'Password', rule: 'All' },
    { name: 'Verification code', displayName: 'Verification code', rule: 'All' },
    { name: 'WebAuthn', displayName: 'WebAuthn', rule: 'None' },
    { name: 'Face ID', displayName: 'Face ID', rule: 'None' },
  ];
}

// Scopes of the MCP server's own app, as `casdoor-mcp scopes sync --apply` writes them from scopes.json.
export function mcpScopes(): Record<string, unknown>[] {
  return desiredScopes(scopesJson as ScopeDoc).items.map((item) => ({ ...item }));
}

// Field values of an application created from Casdoor's UI (168/168/720 hours etc.).
export function applicationTemplate(): Record<string, unknown> {
  return {
    category: 'Default', type: 'All', scopes: [], logo: 'https://cdn.casbin.org/img/casdoor-logo_1185x256.png',
    cert: 'cert-built-in', enablePassword: true, enableSignUp: true, providers: [],
    signinMethods: uiSigninMethods(), signupItems: defaultSignupItems(), signinItems: defaultSigninItems(),
    grantTypes: ['authorization_code', 'password', 'client_credentials', 'token', 'id_token', 'refresh_token'],
    // Lists Casdoor was never given read null (measured on a real 3.158).
    tags: [], samlAttributes: null, redirectUris: [], tokenFormat: 'JWT', tokenSigningMethod: 'RS256',
    tokenFields: [], tokenAttributes: null, expireInHours: 168, refreshExpireInHours: 168,
    cookieExpireInHours: 720, formOffset: 2, failedSigninLimit: FAILED_SIGNIN_LIMIT,
    failedSigninFrozenTime: FAILED_SIGNIN_FROZEN_MINUTES, codeResendTimeout: 60, customScopes: null,
    otherDomains: null,
  };
}

export function organizationTemplate(): Record<string, unknown> {
  return {
    favicon: 'https://cdn.casbin.org/img/casbin/favicon.ico', passwordType: 'plain', passwordOptions: ['AtLeast6'],
    countryCodes: ['US'], defaultAvatar: 'https://cdn.casbin.org/img/casbin.svg', defaultTokenFormat: 'JWT',
    userTypes: [], tags: [], languages: ['en', 'es', 'fr', 'de', 'ja', 'zh'], initScore: 2000,
    enableTour: true, navItems: [], userNavItems: [], widgetItems: [], mfaItems: [], mfaRememberInHours: 12,
    accountItems: [], dcrPolicy: 'disabled', ldapAttributes: [], balanceCurrency: 'USD',
  };
}

export function userTemplate(): Record<string, unknown> {
  return {
    type: 'normal-user', passwordType: 'plain', avatar: 'https://cdn.casbin.org/img/casbin.svg',
    countryCode: 'US', address: [], affiliation: '', score: 2000, balanceCurrency: 'USD',
    registerType: 'Add User', createdIp: '127.0.0.1', properties: {}, roles: [], permissions: [],
    groups: [], recoveryCodes: [], managedAccounts: [], mfaAccounts: [], mfaItems: [], faceIds: [],
  };
}
