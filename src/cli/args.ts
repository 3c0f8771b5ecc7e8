import { parseArgs, type ParseArgsConfig } from 'node:util';
import { VARIABLES } from '../config.js';

export type Command = 'serve' | 'stdio' | 'check' | 'scopes-sync';

export interface ParsedArgs {
  command: Command;
  help: boolean;
  version: boolean;
  /** Environment overrides from configuration flags (flags win over the environment). */
  env: Record<string, string>;
  fullAccess: boolean;
  apply: boolean;
  prune: boolean;
}

/** A command line that cannot be understood: printed as one line, exit code 2. */
export class UsageError extends Error {}

const COMMAND_FLAGS: Record<string, Command> = { 'full-access': 'stdio', apply: 'scopes-sync', prune: 'scopes-sync' };

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    'full-access': { type: 'boolean' },
    apply: { type: 'boolean' },
    prune: { type: 'boolean' },
  };
  for (const v of VARIABLES) options[v.flag] = { type: v.boolean ? 'boolean' : 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, allowNegative: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const pos = parsed.positionals;
  let command: Command;
  let used: number;
  if (pos.length === 0) [command, used] = ['serve', 0];
  else if (pos[0] === 'serve' || pos[0] === 'stdio' || pos[0] === 'check') [command, used] = [pos[0], 1];
  else if (pos[0] === 'scopes' && pos[1] === 'sync') [command, used] = ['scopes-sync', 2];
  else if (pos[0] === 'scopes') throw new UsageError('unknown command "scopes"; did you mean "scopes sync"?');
  else throw new UsageError(`unknown command ${JSON.stringify(pos[0])}`);
  if (pos.length > used) throw new UsageError(`unexpected argument ${JSON.stringify(pos[used])}`);
  for (const [flag, owner] of Object.entries(COMMAND_FLAGS)) {
    if (values[flag] !== undefined && command !== owner) throw new UsageError(`--${flag} belongs to the ${owner.replace('-', ' ')} command`);
  }

  const env: Record<string, string> = {};
  for (const v of VARIABLES) {
    const value = values[v.flag];
    if (value !== undefined) env[v.name] = String(value);
  }
  return {
    command,
    help: values.help === true,
    version: values.version === true,
    env,
    fullAccess: values['full-access'] === true,
    apply: values.apply === true,
    prune: values.prune === true,
  };
}

const COMMANDS = `Commands:
  serve            (default) serve MCP over Streamable HTTP; without CASDOOR_ENDPOINT on a built-in sandbox Casdoor
  stdio            serve the same tools over stdio for local MCP clients (Claude Desktop); acts with the access
                   token in CASDOOR_MCP_TOKEN, verified and scope-checked as over HTTP; refuses to start without
                   one unless --full-access is given
  check            validate the configuration against Casdoor (discovery, JWKS, client credentials, scopes)
                   and print a report with a fix for each problem; exit code 0 only when all is well
  scopes sync      make the Casdoor application's scopes and customScopes match scopes.json; prints the
                   diff and writes only with --apply`;

const COMMAND_OPTIONS = `Command options:
  --full-access    stdio: run without a token as the server's own application (every tool the operator
                   allows, no scope check); said on stderr at start
  --apply          scopes sync: write the changes (default: only print them)
  --prune          scopes sync: also remove scopes that scopes.json does not define
  -h, --help       print this help
  -v, --version    print the version`;

export function helpText(): string {
  const rows = VARIABLES.map((v) => [v.boolean ? `--[no-]${v.flag}` : `--${v.flag} <value>`, v] as const);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  const table = rows
    .map(([flag, v]) => `  ${flag.padEnd(width)}  ${v.name}\n      ${v.description} (default: ${v.default})${v.secret ? '; prefer the environment variable' : ''}`)
    .join('\n');
  return [
    'Usage: casdoor-mcp [serve | stdio | check | scopes sync] [options]',
    '',
    'An MCP server for administering Casdoor, with per-tool OAuth scopes.',
    '',
    COMMANDS,
    '',
    COMMAND_OPTIONS,
    '',
    'Configuration: each flag overrides its environment variable (see README.md and .env.example).',
    'Boolean flags take no value: --read-only sets true, --no-read-only false.',
    table,
  ].join('\n');
}
