import scopesJson from '../../scopes.json' with { type: 'json' };
import { createScopeRegistry } from '../auth/scopes.js';
import { createCasdoorAdapter } from '../casdoor/adapter.js';
import { ConfigError, loadConfig } from '../config.js';
import { TOOLS } from '../tools/index.js';
import { planScopes, renderChanges } from './scope-plan.js';

/**
 * `casdoor-mcp scopes sync [--apply] [--prune]`: makes the server application's scopes (what
 * Casdoor checks in token requests) and customScopes (its consent screen) match scopes.json.
 * Prints the diff; writes only with --apply, and then only those two columns; removes scopes
 * scopes.json does not define only with --prune. Exit: 0 done (or nothing to do), 1 Casdoor
 * failed or the written result does not read back as planned, 2 configuration.
 */
export async function runScopesSync(
  env: Record<string, string | undefined>,
  options: { apply: boolean; prune: boolean },
  write: (text: string) => void,
): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    write(`casdoor-mcp scopes sync: configuration error: ${err.message}\n`);
    return 2;
  }
  if (!config.casdoor) {
    write('casdoor-mcp scopes sync: set CASDOOR_ENDPOINT and the CASDOOR_CLIENT_* variables: there is no Casdoor application to sync (the sandbox is seeded with every scope)\n');
    return 2;
  }
  const t = config.casdoor;
  const doc = createScopeRegistry(scopesJson, TOOLS.map((tool) => tool.name)).doc;
  const casdoor = createCasdoorAdapter({ ...t, timeoutMs: config.casdoorTimeoutMs });
  const id = `admin/${t.application}`;
  try {
    const app = await casdoor.getApplication(t.application);
    if (!app) {
      write(`casdoor-mcp scopes sync: application ${id} does not exist in ${t.endpoint}; check CASDOOR_APPLICATION\n`);
      return 1;
    }
    if (app.clientSecret === '***') {
      write(`casdoor-mcp scopes sync: Casdoor masks ${id} for the server's credentials, so it would refuse the write; check CASDOOR_CLIENT_ID and CASDOOR_CLIENT_SECRET\n`);
      return 1;
    }
    const plan = planScopes(app, doc, options.prune);
    const lines = [
      `casdoor-mcp scopes sync: application ${id} at ${t.endpoint}`,
      '',
      ...renderChanges('scopes (Casdoor accepts only these in token requests)', plan.scopeChanges),
      ...renderChanges('customScopes (the consent screen)', plan.customScopeChanges),
      '',
    ];
    const count = [...plan.scopeChanges, ...plan.customScopeChanges].filter((c) => c.kind !== 'keep').length;
    if (!plan.changed) {
      write(`${lines.join('\n')}Nothing to change: the application matches scopes.json (${plan.unchanged} entries).\n`);
      return 0;
    }
    if (!options.apply) {
      write(`${lines.join('\n')}${count} change${count > 1 ? 's' : ''}. Dry run: nothing was written; run again with --apply to write ${count > 1 ? 'them' : 'it'}.\n`);
      return 0;
    }
    await casdoor.updateApplication(t.application, { ...app, scopes: plan.scopes, customScopes: plan.customScopes }, ['scopes', 'customScopes']);
    // Read back: a second plan over what Casdoor now holds must find nothing to do.
    const after = await casdoor.getApplication(t.application);
    const again = after ? planScopes(after, doc, options.prune) : undefined;
    if (!again || again.changed) {
      write(`${lines.join('\n')}Wrote ${count} change${count > 1 ? 's' : ''}, but the application does not read back as planned; run casdoor-mcp scopes sync again to see what differs.\n`);
      return 1;
    }
    write(`${lines.join('\n')}Wrote ${count} change${count > 1 ? 's' : ''} to ${id} (columns scopes, customScopes) and read it back: it matches scopes.json.\n`);
    return 0;
  } catch (err) {
    write(`casdoor-mcp scopes sync: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
