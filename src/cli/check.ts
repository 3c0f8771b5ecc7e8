import { decodeJwt } from 'jose';
import scopesJson from '../../scopes.json' with { type: 'json' };
import { createScopeRegistry } from '../auth/scopes.js';
import { createTokenVerifier, TokenError } from '../auth/token-verifier.js';
import { createCasdoorAdapter, type CasdoorAdapter } from '../casdoor/adapter.js';
import { ConfigError, loadConfig, type CasdoorTarget, type Config } from '../config.js';
import { createOperatorPolicy } from '../ops/operator-policy.js';
import { fetchDiscovery, type DiscoveryDoc } from '../casdoor/discovery.js';
import type { Sandbox } from '../sandbox/index.js';
import { TOOLS } from '../tools/index.js';
import { Report } from './report.js';
import { planScopes } from './scope-plan.js';


const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function fetchJson(url: string, timeoutMs: number, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json', ...init.headers } });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: undefined };
  }
}

/**
 * `casdoor-mcp check`: every step the server depends on, in order, each with a fix. Later steps
 * are skipped when an earlier one they need failed. Returns the exit code: 0 only when nothing
 * failed (warnings do not fail), 1 on problems, 2 on a configuration error.
 */
export async function runCheck(env: Record<string, string | undefined>, write: (text: string) => void, color: boolean): Promise<number> {
  const report = new Report();
  let config: Config;
  try {
    config = loadConfig(env);
    createOperatorPolicy(config.operator, TOOLS.map((t) => t.name));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    report.fail(`configuration: ${err.message}`, `correct ${err.variable} (see casdoor-mcp --help and README.md)`);
    write(`casdoor-mcp check\n${report.render(color)}\n`);
    return 2;
  }
  report.ok('configuration is valid');

  let sandbox: Sandbox | undefined;
  let target: CasdoorTarget;
  if (config.casdoor) {
    target = config.casdoor;
  } else {
    const { startSandbox } = await import('../sandbox/index.js');
    sandbox = await startSandbox({ host: '127.0.0.1', port: 0 });
    target = { ...sandbox.demo, endpoint: sandbox.url, issuer: sandbox.issuer, jwksUrl: undefined };
    report.warn('CASDOOR_ENDPOINT is not set: checking the built-in sandbox that serve would start', 'set CASDOOR_ENDPOINT and the CASDOOR_CLIENT_* variables to check a real Casdoor');
  }
  write(`casdoor-mcp check: ${target.endpoint} (application ${target.application})\n`);
  try {
    await checkCasdoor(config, target, report);
  } finally {
    await sandbox?.stop();
  }
  write(`${report.render(color)}\n`);
  return report.failures === 0 ? 0 : 1;
}

/** Every probe of `check` against one Casdoor; serve runs the same at start. */
export async function checkCasdoor(config: Config, t: CasdoorTarget, report: Report): Promise<void> {
  const timeout = config.casdoorTimeoutMs;

  // 1. Casdoor answers, with its discovery document.
  const found = await fetchDiscovery(t.endpoint, timeout);
  if (!found.ok && found.kind === 'invalid') {
    report.fail(`Casdoor's discovery document is not at ${found.url} (HTTP ${found.status})`, 'set CASDOOR_ENDPOINT to Casdoor\'s base URL (the backend, e.g. https://door.example.com), without a path');
    return;
  }
  if (!found.ok) {
    report.fail(`Casdoor is unreachable at ${t.endpoint}: ${found.reason}`, 'check CASDOOR_ENDPOINT, and that this host can reach Casdoor (DNS, firewall, TLS)');
    return;
  }
  const doc: DiscoveryDoc = found.doc;
  const discovered = doc.issuer.replace(/\/+$/, '');
  report.ok('Casdoor reachable: discovery document read', `issuer ${discovered}`);

  // 2. The issuer the server will require.
  const issuer = t.issuer ?? discovered;
  const issuerFix =
    `set CASDOOR_ISSUER=${discovered} or unset it. If clients reach Casdoor under another name, set origin in Casdoor's ` +
    'conf/app.conf to its public URL, so every token carries the same iss';
  if (t.issuer && t.issuer !== discovered) report.fail(`CASDOOR_ISSUER is ${t.issuer}, but Casdoor says its issuer is ${discovered}`, issuerFix);
  else report.ok(`token issuer: ${issuer}`);

  // 3. The JWKS holds keys.
  const jwksUrl = t.jwksUrl ?? doc.jwks_uri ?? `${t.endpoint}/.well-known/jwks`;
  let jwksOk = false;
  try {
    const { status, body } = await fetchJson(jwksUrl, timeout);
    const keys = (body as { keys?: unknown } | undefined)?.keys;
    if (status === 200 && Array.isArray(keys) && keys.length > 0) {
      jwksOk = true;
      report.ok(`JWKS: ${keys.length} key${keys.length > 1 ? 's' : ''} at ${jwksUrl}`);
    } else {
      report.fail(`JWKS at ${jwksUrl} has no keys (HTTP ${status})`, t.jwksUrl ? 'check CASDOOR_JWKS_URL, or unset it to use the discovered jwks_uri' : 'check that Casdoor has a certificate (Certs) for its applications');
    }
  } catch (err) {
    report.fail(`JWKS unreachable at ${jwksUrl}: ${message((err as Error).cause ?? err)}`, 'check CASDOOR_JWKS_URL or the jwks_uri Casdoor publishes');
  }

  // 4. The server's own client credentials get a token, and the token verifies as the server will.
  const tokenEndpoint = doc.token_endpoint ?? `${t.endpoint}/api/login/oauth/access_token`;
  const basic = `Basic ${Buffer.from(`${t.clientId}:${t.clientSecret}`).toString('base64')}`;
  let token: string | undefined;
  try {
    const { status, body } = await fetchJson(tokenEndpoint, timeout, {
      method: 'POST',
      headers: { Authorization: basic, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    const b = (body ?? {}) as { access_token?: unknown; error?: unknown; error_description?: unknown };
    if (typeof b.access_token === 'string') {
      token = b.access_token;
      report.ok('client credentials accepted: Casdoor issued a client_credentials token');
    } else if (b.error === 'invalid_client') {
      report.fail(
        `Casdoor refused the client credentials (invalid_client${b.error_description ? `: ${String(b.error_description)}` : ''})`,
        `set CASDOOR_CLIENT_ID and CASDOOR_CLIENT_SECRET to the Client ID and Client secret on the page of application ${t.application} in Casdoor`,
      );
    } else if (b.error === 'unsupported_grant_type') {
      report.fail('Casdoor refused the client_credentials grant for this application', `enable the client_credentials grant type of application ${t.application} in Casdoor`);
    } else {
      report.fail(`the token request failed (HTTP ${status}${typeof b.error === 'string' ? `, ${b.error}` : ''})`, `check ${tokenEndpoint} and application ${t.application}`);
    }
  } catch (err) {
    report.fail(`the token endpoint ${tokenEndpoint} is unreachable: ${message((err as Error).cause ?? err)}`, 'check that Casdoor\'s OAuth endpoints are reachable from this host');
  }
  if (token && jwksOk) {
    const verifier = createTokenVerifier({ issuer, audiences: [t.clientId], jwksUrl: new URL(jwksUrl), cache: { maxEntries: 0 } });
    try {
      await verifier.verify(token);
      report.ok('the token verifies as the server verifies tokens (signature, iss, aud, exp)');
    } catch (err) {
      if (err instanceof TokenError && err.code === 'token_issuer_invalid') {
        const iss = String(decodeJwt(token).iss);
        report.fail(`Casdoor signs tokens with iss ${iss}, but the server expects ${issuer}`, issuerFix.replace(discovered, iss));
      } else {
        report.fail(`a token Casdoor issued does not verify: ${message(err)}`, 'check CASDOOR_JWKS_URL and the certificate of the application');
      }
    }
  } else {
    report.skip('token verification', token ? 'the JWKS failed' : 'no token');
  }

  // 5. The application the server acts as, read as itself (an administrator sees it unmasked).
  const casdoor = createCasdoorAdapter({ ...t, timeoutMs: timeout });
  let app: Record<string, unknown> | null = null;
  try {
    app = await casdoor.getApplication(t.application);
  } catch (err) {
    report.fail(`reading application ${t.application} failed: ${message(err)}`, 'check CASDOOR_ENDPOINT and the client credentials');
  }
  if (app === null) {
    report.fail(`application ${t.application} does not exist in Casdoor`, 'set CASDOOR_APPLICATION to the name of the server\'s application (Applications in Casdoor)');
  } else if (app) {
    if (app.clientId !== t.clientId) {
      report.fail(`application ${t.application} has client id ${String(app.clientId)}, not CASDOOR_CLIENT_ID`, 'set CASDOOR_APPLICATION and CASDOOR_CLIENT_ID to the same application');
    } else if (app.clientSecret === '***') {
      report.fail(`Casdoor masks application ${t.application} for the server: its credentials are not accepted as an administrator`, 'check CASDOOR_CLIENT_SECRET');
    } else if (app.organization !== t.organization) {
      report.fail(`application ${t.application} belongs to organization ${String(app.organization)}, not ${t.organization}`, `set CASDOOR_ORGANIZATION=${String(app.organization)}`);
    } else {
      report.ok(`application ${t.application} found (organization ${t.organization}), read with the server's credentials`);
    }
    checkScopes(app, report);
  }

  // 6. What /readyz probes: an authenticated REST call.
  await probeOrganizations(casdoor, t.organization, config.operator.allowedOrganizations ?? [], report);

  // 7. Introspection: every bearer token is resolved through it.
  {
    if (!token) report.skip('token introspection', 'no token to introspect');
    else {
      try {
        const answer = await casdoor.introspect(token, doc.introspection_endpoint);
        if (answer.active) report.ok('token introspection: Casdoor says the token is active');
        else report.fail('token introspection: Casdoor says a fresh token is inactive', 'check that the introspection endpoint accepts the server\'s client credentials');
      } catch (err) {
        report.fail(`token introspection failed: ${message(err)}`, 'make Casdoor\'s introspection endpoint reachable with the server\'s client credentials: no bearer token is accepted without it');
      }
    }
  }

  // 8. How clients will reach the server.
  if (!config.publicUrl && !['127.0.0.1', 'localhost', '::1'].includes(config.host)) {
    report.warn('MCP_PUBLIC_URL is not set, but the server listens beyond loopback', 'set MCP_PUBLIC_URL to the URL clients use (e.g. https://mcp.example.com/mcp): it is the token audience');
  } else if (config.publicUrl && new URL(config.publicUrl).protocol === 'http:' && !/^(127\.0\.0\.1|localhost|\[::1\])$/.test(new URL(config.publicUrl).hostname)) {
    report.warn(`MCP_PUBLIC_URL ${config.publicUrl} is not https`, 'serve it over TLS (reverse proxy) and use an https URL: tokens travel in every request');
  }
}

function checkScopes(app: Record<string, unknown>, report: Report): void {
  const doc = createScopeRegistry(scopesJson, TOOLS.map((t) => t.name)).doc;
  const plan = planScopes(app, doc, false);
  const missingCanonical = plan.scopeChanges.filter((c) => c.kind === 'add' && c.canonical).map((c) => c.name);
  const missingAliases = plan.scopeChanges.filter((c) => c.kind === 'add' && !c.canonical).map((c) => c.name);
  const differing = plan.scopeChanges.filter((c) => c.kind === 'update').map((c) => c.name);
  const consent = plan.customScopeChanges.filter((c) => c.kind === 'add' || c.kind === 'update').map((c) => c.name);
  const fix = 'run casdoor-mcp scopes sync (to see the diff), then casdoor-mcp scopes sync --apply';
  const empty = !Array.isArray(app.scopes) || app.scopes.length === 0;
  // Casdoor checks token requests against the names only; descriptions and the consent screen are
  // cosmetic, so they are a note, not a warning.
  const cosmetic = [
    ...(differing.length > 0 ? [`${differing.length} differ from scopes.json in description or tools`] : []),
    ...(consent.length > 0 ? [`the consent screen (customScopes) lacks or misdescribes ${consent.length}`] : []),
  ];
  const note = cosmetic.length > 0 ? `${cosmetic.join('; ')}: casdoor-mcp scopes sync shows the diff` : undefined;
  if (empty) {
    report.warn('the application defines no scopes, so Casdoor accepts any scope string in token requests and shows none on the consent screen', fix);
  } else if (missingCanonical.length > 0) {
    report.fail(`the application's scopes lack ${missingCanonical.join(', ')}: Casdoor refuses token requests for them (invalid_scope)`, fix);
  } else {
    report.ok('the application defines every scope in scopes.json', note);
  }
  if (!empty && missingAliases.length > 0) report.warn(`the application's scopes lack the aliases ${missingAliases.join(', ')}: tokens asking for them are refused`, fix);
}

async function probeOrganizations(casdoor: CasdoorAdapter, own: string, allowed: readonly string[], report: Report): Promise<void> {
  try {
    if (await casdoor.getOrganization(own)) report.ok(`authenticated REST call answered (organization ${own}): /readyz will pass`);
    else report.fail(`organization ${own} (CASDOOR_ORGANIZATION) does not exist`, 'set CASDOOR_ORGANIZATION to the organization of the server\'s application');
  } catch (err) {
    report.fail(`an authenticated REST call failed: ${message(err)}`, 'check the client credentials; Casdoor ignores a wrong Basic secret and then refuses the call');
    return;
  }
  for (const org of allowed) {
    try {
      if (!(await casdoor.getOrganization(org))) report.fail(`MCP_ALLOWED_ORGANIZATIONS names ${org}, which does not exist`, 'remove it or correct its spelling');
    } catch (err) {
      report.fail(`checking organization ${org} failed: ${message(err)}`, 'retry; check Casdoor');
    }
  }
}
