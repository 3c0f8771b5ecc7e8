import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/auth/caller.js';
import { createClientCapabilityStore, credentialExpiry, credentialKey, declaresElicitation } from '../../src/mcp/client-capabilities.js';

const principal = { type: 'application' as const, id: 'admin/x', name: 'x' };
const token: Caller = { kind: 'token', principal, grantedScopes: [], scopes: new Set(), clientId: undefined, expiresAt: 2_000 };

describe('what clients declared, remembered per credential', () => {
  it('remembers elicitation for an hour, never past the token\'s exp, and forgets it on a re-initialize without it', () => {
    let now = 1_000_000;
    const store = createClientCapabilityStore({ now: () => now });
    store.remember('k', { elicitation: true });
    expect(store.canElicit('k')).toBe(true);
    now += 60 * 60 * 1000;
    expect(store.canElicit('k')).toBe(false);
    store.remember('k', { elicitation: true }, now + 5_000);
    now += 5_000;
    expect(store.canElicit('k')).toBe(false);
    store.remember('k', { elicitation: true });
    store.remember('k', { elicitation: false });
    expect(store.canElicit('k')).toBe(false);
    expect(store.canElicit(undefined)).toBe(false);
  });

  it('is bounded', () => {
    const store = createClientCapabilityStore({ maxEntries: 3 });
    for (let i = 0; i < 10; i++) store.remember(`k${i}`, { elicitation: true });
    expect(store.size).toBe(3);
    expect(store.canElicit('k0')).toBe(false);
    expect(store.canElicit('k9')).toBe(true);
  });

  it('keys tokens and cookies by a hash, and anonymous callers not at all', () => {
    const key = credentialKey(token, { authorization: ['Bearer abc.def'], sessionCookie: 'ignored' });
    expect(key).toMatch(/^token:[0-9a-f]{64}$/);
    expect(key).not.toContain('abc');
    expect(credentialKey(token, { authorization: ['Bearer other'], sessionCookie: undefined })).not.toBe(key);
    expect(credentialKey({ kind: 'cookie', principal }, { authorization: [], sessionCookie: 's1' })).toMatch(/^cookie:[0-9a-f]{64}$/);
    expect(credentialKey({ kind: 'anonymous' }, { authorization: [], sessionCookie: undefined })).toBeUndefined();
    expect(credentialExpiry(token)).toBe(2_000_000);
  });

  it('reads form-mode elicitation from initialize params', () => {
    expect(declaresElicitation({ capabilities: { elicitation: {} } })).toBe(true);
    expect(declaresElicitation({ capabilities: { elicitation: { form: {} } } })).toBe(true);
    expect(declaresElicitation({ capabilities: { elicitation: { url: {} } } })).toBe(false);
    expect(declaresElicitation({ capabilities: {} })).toBe(false);
    expect(declaresElicitation({ capabilities: { elicitation: true } })).toBe(false);
    expect(declaresElicitation(undefined)).toBe(false);
  });
});
