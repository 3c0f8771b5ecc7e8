// Read-side masking of applications as GetMaskedApplication applies it (who is the application's
// admin, which provider items stay); the masked columns themselves are src/casdoor/masking.ts.
import {
  APPLICATION_MASK, APPLICATION_ORGANIZATION_MASK, APPLICATION_PROVIDER_CATEGORIES, APPLICATION_PROVIDER_CATEGORY_ONLY,
  applyColumnMask,
} from '../casdoor/masking.js';
import { FAILED_SIGNIN_FROZEN_MINUTES, FAILED_SIGNIN_LIMIT } from './defaults.js';
import type { SandboxStore } from './types.js';

export { maskOrganization, maskProvider, maskUser } from '../casdoor/masking.js';

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
  applyColumnMask(app, APPLICATION_MASK);

  // Provider items without a loaded provider are dropped; secrets of kept ones are never stored here.
  const providers = Array.isArray(app.providers) ? app.providers as Rec[] : [];
  const kept: readonly string[] = APPLICATION_PROVIDER_CATEGORIES;
  const categoryOnly: readonly string[] = APPLICATION_PROVIDER_CATEGORY_ONLY;
  app.providers = providers.filter((item) => {
    const provider = item.provider as Rec | null | undefined;
    return provider && kept.includes(String(provider.category));
  }).map((item) => {
    const category = String((item.provider as Rec).category);
    if (categoryOnly.includes(category)) return { countryCodes: item.countryCodes ?? null, rule: item.rule ?? '', provider: { category } };
    return item;
  });

  const org = app.organizationObj as Rec | null;
  if (org) {
    applyColumnMask(org, APPLICATION_ORGANIZATION_MASK);
    if (!orgUser) {
      org.mfaItems = null;
      if (!org.isProfilePublic) org.accountItems = null;
    }
  }
  return app;
}
