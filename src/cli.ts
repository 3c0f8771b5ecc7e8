#!/usr/bin/env node
import { pino, type Logger } from 'pino';
import { helpText, parseCommandLine, UsageError, type ParsedArgs } from './cli/args.js';
import { runCheck } from './cli/check.js';
import { runScopesSync } from './cli/scopes-sync.js';
import { runServe } from './cli/serve.js';
import { runStdio } from './cli/stdio.js';
import { ConfigError, loadConfig } from './config.js';
import { currentScope } from './ops/request-context.js';
import { packageVersion } from './ops/version.js';

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
    out(`${helpText()}\n`);
    return 0;
  }
  if (args.version) {
    out(`${packageVersion()}\n`);
    return 0;
  }
  // Flags override the environment.
  const env = { ...process.env, ...args.env };
  if (args.command === 'check') return runCheck(env, out, process.stdout.isTTY === true && !process.env.NO_COLOR);
  if (args.command === 'scopes-sync') return runScopesSync(env, { apply: args.apply, prune: args.prune }, out);

  let config;
  try {
    config = loadConfig(env);
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
    return await runServe(config, logger, out);
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`casdoor-mcp: configuration error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err(`casdoor-mcp: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
