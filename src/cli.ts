#!/usr/bin/env node
import { pino } from 'pino';
import { banner } from './banner.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { startServer } from './main.js';

const HELP = `Usage: casdoor-mcp [serve]

Runs the Casdoor MCP server over Streamable HTTP. With no CASDOOR_ENDPOINT it starts a built-in
sandbox Casdoor on loopback and prints a demo client id and secret.

Configuration is read from the environment (see README.md and .env.example).`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || rest.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (command !== 'serve') {
    process.stderr.write(`casdoor-mcp: unknown command ${JSON.stringify(command)}; see casdoor-mcp --help\n`);
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`casdoor-mcp: configuration error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  // Logs go to stderr as JSON lines; stdout carries only the banner.
  const logger = pino({ level: config.logLevel, base: { service: 'casdoor-mcp' } }, pino.destination(2));
  const running = await startServer(config, logger);
  process.stdout.write(`${banner(running)}\n`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1; // keep running
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`casdoor-mcp: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
