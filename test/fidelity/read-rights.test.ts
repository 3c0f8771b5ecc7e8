// Defect 7 of issue 12: a plain user reads any application (masked), but an organization admin got 403
// for applications of other organizations, and her get_applications listed the shared built-in
// application that get_application then refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { bearer, mcpClient, structured, text, type Json } from '../tools/helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.sandbox.data.applications.get('admin/app-built-in')!.isShared = true;
});
afterAll(() => h?.close());

const as = async (user: string) =>
  mcpClient(h, bearer(await h.sandbox.issueToken({ kind: 'user', user, scope: 'read:application read:user', audience: [h.url] })));

describe('an organization admin reads at least what a plain user reads', () => {
  it('both read an application of another organization, masked', async () => {
    for (const user of ['acme/bob', 'acme/alice']) {
      const client = await as(user);
      const r = await client.callTool({ name: 'get_application', arguments: { id: 'admin/globex-web' } });
      expect(r.isError, `${user}: ${text(r)}`).toBeFalsy();
      const app = structured(r).application as Json;
      expect(app).toMatchObject({ name: 'globex-web', organization: 'globex', clientSecret: '***', expireInHours: -1 });
    }
  });

  it('masked exactly as Casdoor masks: its flags false, the others as stored', async () => {
    const stored = h.sandbox.data.applications.get('admin/globex-web')!;
    Object.assign(stored, { enableSigninSession: true, enableCodeSignin: true, enableLinkWithEmail: true, enableSamlAssertionSignature: true, useEmailAsSamlNameId: true, enableSignUp: true });
    const client = await as('acme/bob');
    const app = structured(await client.callTool({ name: 'get_application', arguments: { id: 'admin/globex-web' } })).application as Json;
    // GetMaskedApplication sets these to false; the SAML assertion flags and enableSignUp it leaves alone.
    expect(app).toMatchObject({ enableSigninSession: false, enableCodeSignin: false, enableLinkWithEmail: false });
    expect(app).toMatchObject({ enableSamlAssertionSignature: true, useEmailAsSamlNameId: true, enableSignUp: true });
  });

  it('whatever her get_applications lists, her get_application reads', async () => {
    const alice = await as('acme/alice');
    const listed = structured(await alice.callTool({ name: 'get_applications', arguments: { pageSize: 100 } })).applications as Json[];
    expect(listed.length).toBeGreaterThan(0);
    for (const app of listed) {
      const r = await alice.callTool({ name: 'get_application', arguments: { id: `admin/${String(app.name)}` } });
      expect(r.isError, `${String(app.name)}: ${text(r)}`).toBeFalsy();
    }
  });

  it('but she still writes only in her own organization', async () => {
    const alice = await mcpClient(h, bearer(await h.sandbox.issueToken({ kind: 'user', user: 'acme/alice', scope: 'read:application write:application', audience: [h.url] })));
    const r = await alice.callTool({ name: 'update_application', arguments: { id: 'admin/globex-web', application: { description: 'x' } } }).catch((e) => e);
    expect(String(r?.message ?? JSON.stringify(r))).toMatch(/own_organization_only|forbidden/);
  });
});
