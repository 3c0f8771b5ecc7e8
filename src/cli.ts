#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { pino, type Logger } from 'pino';
import { helpText, parseCommandLine, UsageError, type ParsedArgs } from './cli/args.js';
import { runCheck } from './cli/check.js';
import { runScopesSync } from './cli/scopes-sync.js';
import { runServe } from './cli/serve.js';
import { runStdio } from './cli/stdio.js';
import { ConfigError, loadConfig } from './config.js';
import { currentScope } from './ops/request-context.js';
import { packageVersion } from './ops/version.js';

// A closed stdout (e.g. piped into head) must not crash the server.
process.stdout.on('error', () => {});
const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

/** The `casdoor-mcp` command. Exit codes: 0 ok, 1 failure, 2 usage or configuration error. */
async function main(argv: string[]): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`casdoor-mcp: ${e.message}; see casdoor-mcp --help\n`);
    return 2;
  }
  if (args.help) {
    out(`${helpText(args.named ? args.command : undefined)}\n`);
    return 0;
  }
  if (args.version) {
    out(`${packageVersion()}\n`);
    return 0;
  }
  // Flags override the environment, which overrides ./.env.
  const dotenv = readDotenv();
  if (dotenv instanceof Error) {
    err(`casdoor-mcp: configuration error: ${dotenv.message}\n`);
    return 2;
  }
  const env: Record<string, string | undefined> = { ...dotenv?.values, ...process.env, ...args.env };
  // serve keeps its sandbox's data in ./.sandbox; stdio's sandbox is private and temporary.
  if (args.command === 'serve') env.SANDBOX_DATA_DIR ??= '.sandbox';
  if (args.command === 'stdio') Object.assign(env, { SANDBOX_DATA_DIR: 'off', SANDBOX_PORT: '0' });
  const notes = dotenv ? [`Configuration: read ${dotenv.path} (the environment and flags override it)`] : [];
  if (args.command === 'check') return runCheck(env, out, process.stdout.isTTY === true && !process.env.NO_COLOR);
  if (args.command === 'scopes-sync') return runScopesSync(env, { apply: args.apply, prune: args.prune }, out);

  let config;
  try {
    config = loadConfig(env);
    config.sandbox.fresh = args.fresh;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`casdoor-mcp: configuration error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // Logs are JSON lines on stderr: stdout carries the banner (serve) or MCP messages only (stdio).
  // Every line logged while a request is handled carries its request id.
  const mixin = () => {
    const scope = currentScope();
    return scope ? { requestId: scope.requestId } : {};
  };
  const logger: Logger = pino({ level: config.logLevel, base: { service: 'casdoor-mcp' }, mixin }, pino.destination(2));
  try {
    if (args.command === 'stdio') return await runStdio(config, args.fullAccess, logger, err);
    return await runServe(config, logger, out, notes);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`casdoor-mcp: configuration error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** ./.env as Node parses it; undefined when there is none, an Error when it cannot be read. */
function readDotenv(): { path: string; values: Record<string, string> } | undefined | Error {
  const path = resolve('.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return new Error(`${path}: ${(e as Error).message}`);
  }
  return { path, values: parseEnv(text) as Record<string, string> };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`casdoor-mcp: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
