import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('defaults to the sandbox on loopback', () => {
    const c = loadConfig({});
    expect(c.casdoor).toBeUndefined();
    expect(c).toMatchObject({ host: '127.0.0.1', port: 3000, maxBodyBytes: 1024 * 1024, allowedAudiences: [] });
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
