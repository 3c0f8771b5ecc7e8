import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../src/cli/args.js';
import { ConfigError, loadConfig, VARIABLE_NAMES, VARIABLES } from '../src/config.js';

// The configuration tables: the README's, and those of the topic pages under docs/.
const configDoc = [new URL('../README.md', import.meta.url), ...readdirSync(new URL('../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => new URL(`../docs/${f}`, import.meta.url))]
  .map((u) => readFileSync(u, 'utf8'))
  .join('\n');
const envExample = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');

describe('configuration', () => {
  it('defaults to the sandbox on loopback, unnarrowed, with generous rate limits and a 30 s identity cache', () => {
    const c = loadConfig({});
    expect(c.casdoor).toBeUndefined();
    expect(c).toMatchObject({ host: '127.0.0.1', port: 3000, maxBodyBytes: 1024 * 1024, allowedAudiences: [] });
    expect(c.operator).toEqual({ readOnly: false, tools: undefined, allowedOrganizations: undefined });
    expect(c.rateLimit).toEqual({ readsPerMinute: 600, writesPerMinute: 60 });
    expect(c.identity).toEqual({ cacheSeconds: 30, trustedClients: [], trustedCerts: [], maxTokenBytes: 65536 });
    expect(c.trustProxy).toBe(false);
    expect(c.readinessCacheSeconds).toBe(5);
  });

  it('reads a real Casdoor configuration', () => {
    const c = loadConfig({
      CASDOOR_ENDPOINT: 'https://door.example.com/',
      CASDOOR_CLIENT_ID: 'id',
      CASDOOR_CLIENT_SECRET: 'secret',
      CASDOOR_APPLICATION: 'casdoor-mcp',
      MCP_PUBLIC_URL: 'https://mcp.example.com/mcp',
      MCP_ALLOWED_AUDIENCES: 'a, b,,c',
    });
    expect(c.casdoor).toMatchObject({ endpoint: 'https://door.example.com', organization: 'built-in', application: 'casdoor-mcp' });
    expect(c.allowedAudiences).toEqual(['a', 'b', 'c']);
  });

  it('reads the operator, rate-limit, identity and stdio settings', () => {
    const c = loadConfig({
      MCP_READ_ONLY: 'TRUE',
      MCP_TOOLS: 'get_applications, get_application',
      MCP_ALLOWED_ORGANIZATIONS: 'acme,globex',
      MCP_RATE_LIMIT_READS_PER_MINUTE: '0',
      MCP_RATE_LIMIT_WRITES_PER_MINUTE: '5',
      MCP_TRUST_PROXY: 'yes',
      MCP_IDENTITY_CACHE_SECONDS: '0',
      MCP_TRUSTED_CLIENTS: 'ci-bot-id, deploy-id',
      MCP_TRUSTED_CERTS: 'cert-acme',
      MCP_MAX_TOKEN_BYTES: '20000',
      CASDOOR_MCP_TOKEN: 'eyJ.x.y',
    });
    expect(c.operator).toEqual({ readOnly: true, tools: ['get_applications', 'get_application'], allowedOrganizations: ['acme', 'globex'] });
    expect(c.rateLimit).toEqual({ readsPerMinute: 0, writesPerMinute: 5 });
    expect(c.trustProxy).toBe(true);
    expect(c.identity).toEqual({ cacheSeconds: 0, trustedClients: ['ci-bot-id', 'deploy-id'], trustedCerts: ['cert-acme'], maxTokenBytes: 20000 });
    expect(c.stdioToken).toBe('eyJ.x.y');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ CASDOOR_ENDPOINT: 'door.example.com' }, 'CASDOOR_ENDPOINT'],
    [{ CASDOOR_ENDPOINT: 'ftp://door.example.com' }, 'CASDOOR_ENDPOINT'],
    [{ CASDOOR_ENDPOINT: 'https://door.example.com' }, 'CASDOOR_CLIENT_ID'],
    [{ CASDOOR_CLIENT_ID: 'x' }, 'CASDOOR_CLIENT_ID'],
    [{ MCP_PUBLIC_URL: 'not a url' }, 'MCP_PUBLIC_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ MCP_MAX_BODY_BYTES: '10' }, 'MCP_MAX_BODY_BYTES'],
    [{ MCP_READ_ONLY: 'maybe' }, 'MCP_READ_ONLY'],
    [{ MCP_TOOLS: ',,' }, 'MCP_TOOLS'],
    [{ MCP_TOOLS: 'Get-Applications' }, 'MCP_TOOLS'],
    [{ MCP_ALLOWED_ORGANIZATIONS: 'admin/acme' }, 'MCP_ALLOWED_ORGANIZATIONS'],
    [{ MCP_RATE_LIMIT_WRITES_PER_MINUTE: '-1' }, 'MCP_RATE_LIMIT_WRITES_PER_MINUTE'],
    [{ MCP_RATE_LIMIT_READS_PER_MINUTE: 'lots' }, 'MCP_RATE_LIMIT_READS_PER_MINUTE'],
    [{ MCP_IDENTITY_CACHE_SECONDS: '61' }, 'MCP_IDENTITY_CACHE_SECONDS'],
    [{ MCP_MAX_TOKEN_BYTES: '100' }, 'MCP_MAX_TOKEN_BYTES'],
    [{ MCP_TOKEN_INTROSPECTION: 'true' }, 'MCP_TOKEN_INTROSPECTION'],
    [{ MCP_TOKEN_INTROSPECTION_CACHE_SECONDS: '30' }, 'MCP_TOKEN_INTROSPECTION_CACHE_SECONDS'],
    [{ MCP_TRUST_PROXY: 'on' }, 'MCP_TRUST_PROXY'],
  ])('%j fails naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message.split('\n')).toHaveLength(1);
  });
});

describe('every variable is documented and has a flag', () => {
  it('VARIABLES documents exactly the variables the schema reads, each with its own flag', () => {
    expect(VARIABLES.map((v) => v.name).sort()).toEqual([...VARIABLE_NAMES].sort());
    expect(new Set(VARIABLES.map((v) => v.flag)).size).toBe(VARIABLES.length);
  });

  it.each(VARIABLES.map((v) => [v.name]))('%s is in a configuration table (README or docs/) and in .env.example', (name) => {
    expect(configDoc).toMatch(new RegExp(`^\\|[^\\n]*\`${name}\``, 'm'));
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('flags become the variables they stand for, and override the environment', () => {
    const args = parseCommandLine(['serve', '--port', '4000', '--read-only', '--tools=get_application', '--casdoor-endpoint', 'https://door.example.com']);
    expect(args.env).toEqual({ PORT: '4000', MCP_READ_ONLY: 'true', MCP_TOOLS: 'get_application', CASDOOR_ENDPOINT: 'https://door.example.com' });
    const c = loadConfig({ ...{ PORT: '3000', MCP_READ_ONLY: 'false', CASDOOR_CLIENT_ID: 'i', CASDOOR_CLIENT_SECRET: 's', CASDOOR_APPLICATION: 'a' }, ...args.env });
    expect(c.port).toBe(4000);
    expect(c.operator.readOnly).toBe(true);
    expect(parseCommandLine(['--no-read-only']).env).toEqual({ MCP_READ_ONLY: 'false' });
  });

  it('parses the commands and refuses what it does not know', () => {
    expect(parseCommandLine([]).command).toBe('serve');
    expect(parseCommandLine(['stdio', '--full-access']).fullAccess).toBe(true);
    expect(parseCommandLine(['scopes', 'sync', '--apply', '--prune'])).toMatchObject({ command: 'scopes-sync', apply: true, prune: true });
    for (const argv of [['frob'], ['scopes'], ['serve', 'extra'], ['--bogus'], ['serve', '--apply'], ['check', '--full-access'], ['--port']]) {
      expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(UsageError);
    }
  });
});
