// Every family the sandbox serves, each declared once (family.ts).
import type { Hono } from 'hono';
import type { AppEnv, SandboxContext } from '../context.js';
import { registerFamily, seedFamily, type Family } from '../family.js';
import type { SandboxStore } from '../types.js';
import { applications } from '../applications.js';
import { users } from '../users.js';
import { groups } from './groups.js';
import { organizations } from './organizations.js';
import { permissions } from './permissions.js';
import { providers } from './providers.js';
import { roles } from './roles.js';
import { tokens } from './tokens.js';

export const FAMILIES: readonly Family[] = [applications, users, organizations, roles, permissions, providers, tokens, groups];

export function registerFamilies(app: Hono<AppEnv>, ctx: SandboxContext): void {
  for (const family of FAMILIES) registerFamily(app, ctx, family);
}

/** Seed rows of the families that have them (organizations are seeded by the store, tokens by sign-ins). */
export function seedFamilies(store: SandboxStore, created: () => string): void {
  for (const family of FAMILIES) seedFamily(family, store, created);
}
