import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller.js';
import { describePrincipal } from '../auth/caller.js';
import { Refusal } from '../auth/errors.js';
import type { Config } from '../config.js';
import { createCore, describeOperator } from '../main.js';
import { GatedStdioTransport } from '../stdio.js';

/**
 * `casdoor-mcp stdio`: the same tools, gate, audit and rate limits as over HTTP, for a local
 * client that starts the server as a subprocess. The caller is fixed for the process: the token in
 * CASDOOR_MCP_TOKEN (re-checked on every message, so its expiry holds), or with --full-access the
 * server's own application. stdout carries only MCP messages; everything else goes to stderr.
 * Resolves with the exit code once stdin closes; rejects only on start-up failures.
 */
export async function runStdio(config: Config, fullAccess: boolean, logger: Logger, stderr: (text: string) => void): Promise<number> {
  if (config.stdioToken && fullAccess) {
    stderr('casdoor-mcp stdio: give either CASDOOR_MCP_TOKEN (--token) or --full-access, not both\n');
    return 2;
  }
  if (!config.stdioToken && !fullAccess) {
    stderr(
      'casdoor-mcp stdio: refusing to start without an access token. Put a Casdoor access token for this server in ' +
        'CASDOOR_MCP_TOKEN (its scopes decide the tools, as over HTTP), or pass --full-access to act as the server\'s own ' +
        'application with every tool the operator allows.\n',
    );
    return 2;
  }
  if (!config.casdoor) {
    stderr(
      'casdoor-mcp stdio: CASDOOR_ENDPOINT is not set, so this runs a PRIVATE, TEMPORARY sandbox Casdoor inside this ' +
        'process: demo data and signing keys of its own, gone when it exits. Tokens from another sandbox (casdoor-mcp serve, ' +
        'npm start) do not verify here. To use that one, set CASDOOR_ENDPOINT, CASDOOR_CLIENT_ID, CASDOOR_CLIENT_SECRET and ' +
        'CASDOOR_APPLICATION to the sandbox URL and demo client its banner prints.\n',
    );
  }
  const core = await createCore(config, logger);
  let resolveCaller: () => Promise<Caller>;
  let via: string | undefined;
  if (config.stdioToken) {
    const authenticator = core.authenticator(config.publicUrl);
    const credentials = { authorization: [`Bearer ${config.stdioToken}`], sessionCookie: undefined };
    resolveCaller = () => authenticator.authenticate(credentials);
    try {
      const caller = await resolveCaller();
      if (caller.kind !== 'token') throw new Error('not a token caller');
      const visible = core.registry.visibleTo(caller).map((t) => t.name);
      stderr(`casdoor-mcp stdio: acting as ${describePrincipal(caller.principal)} with scopes [${caller.grantedScopes.join(' ')}]: ${visible.length} tools\n`);
    } catch (err) {
      await core.close();
      const why = err instanceof Refusal ? String((err.data as { reason?: unknown } | undefined)?.reason ?? err.rpcMessage) : err instanceof Error ? err.message : String(err);
      stderr(`casdoor-mcp stdio: the token in CASDOOR_MCP_TOKEN was not accepted: ${why}\n`);
      return 2;
    }
  } else {
    const caller: Caller = { kind: 'cookie', principal: { type: 'application', id: `admin/${core.casdoor.application}`, name: core.casdoor.application } };
    resolveCaller = async () => caller;
    via = 'full-access';
    stderr(
      `casdoor-mcp stdio: FULL ACCESS (--full-access): no token; acting as application ${core.casdoor.application}, a global administrator ` +
        'of Casdoor, with every tool the operator allows and no scope check. Anyone who can start this command has that access.\n',
    );
  }

  const transport = new GatedStdioTransport(new StdioServerTransport(), {
    resolveCaller,
    ...(via ? { via } : {}),
    registry: core.registry,
    ops: core.ops,
    canElicit: () => Boolean(core.mcp.getClientCapabilities()?.elicitation),
  });
  await core.mcp.connect(transport);
  logger.info({ transport: 'stdio', casdoor: core.casdoor.endpoint, operator: describeOperator(config) }, 'casdoor-mcp serving on stdio');

  return new Promise<number>((resolve) => {
    let done = false;
    const stop = (code: number) => {
      if (done) return;
      done = true;
      // The client hung up: finish what it already sent (bounded), then shut down.
      transport
        .drain(10_000)
        .then(() => core.close())
        .then(
        () => resolve(code),
        () => resolve(1),
      );
    };
    process.stdin.once('end', () => stop(0));
    process.stdin.once('close', () => stop(0));
    process.once('SIGINT', () => stop(0));
    process.once('SIGTERM', () => stop(0));
  });
}
