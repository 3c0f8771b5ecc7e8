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
  /** serve: discard the sandbox's saved data and start from its seed. */
  fresh: boolean;
  /** Whether the command was named (so --help shows that command's help). */
  named: boolean;
}

/** A command line that cannot be understood: printed as one line, exit code 2. */
export class UsageError extends Error {}

const COMMAND_FLAGS: Record<string, Command> = { 'full-access': 'stdio', apply: 'scopes-sync', prune: 'scopes-sync', fresh: 'serve' };

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
    'full-access': { type: 'boolean' },
    apply: { type: 'boolean' },
    prune: { type: 'boolean' },
    fresh: { type: 'boolean' },
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
    fresh: values.fresh === true,
    named: used > 0,
  };
}

interface CommandHelp {
  usage: string;
  summary: string;
  options: string[];
  /** Configuration variables that matter to it (all of them when undefined). */
  variables?: readonly string[];
  examples: string[];
}

const CASDOOR_VARS = ['CASDOOR_ENDPOINT', 'CASDOOR_CLIENT_ID', 'CASDOOR_CLIENT_SECRET', 'CASDOOR_APPLICATION', 'CASDOOR_ORGANIZATION', 'CASDOOR_ISSUER', 'CASDOOR_JWKS_URL', 'CASDOOR_TIMEOUT_MS'];

const HELP: Record<Command, CommandHelp> = {
  serve: {
    usage: 'casdoor-mcp serve [--fresh] [options]',
    summary:
      'Serve MCP over Streamable HTTP (the default command). Without CASDOOR_ENDPOINT it starts the built-in\n' +
      'sandbox Casdoor on loopback (demo users, sign-in page, data kept in SANDBOX_DATA_DIR). At start it runs\n' +
      "check's probes and prints each problem with its fix; /readyz answers 503 until they pass.",
    options: ['  --fresh          discard the sandbox\'s saved data (SANDBOX_DATA_DIR) and start from its seed'],
    examples: ['casdoor-mcp serve', 'casdoor-mcp serve --port 4000', 'casdoor-mcp serve --fresh'],
  },
  stdio: {
    usage: 'casdoor-mcp stdio (--token <jwt> | --full-access) [options]',
    summary:
      'Serve the same tools over stdio, for a local MCP client that starts the server (Claude Desktop). It acts\n' +
      'with the access token in CASDOOR_MCP_TOKEN, verified and scope-checked as over HTTP, and refuses to\n' +
      'start without one unless --full-access is given. Without CASDOOR_ENDPOINT it runs a private, temporary\n' +
      'sandbox of its own (its keys differ from those of casdoor-mcp serve).',
    options: [
      '  --full-access    run without a token as the server\'s own application (every tool the operator',
      '                   allows, no scope check); said on stderr at start',
    ],
    examples: ['CASDOOR_MCP_TOKEN=eyJ... casdoor-mcp stdio', 'casdoor-mcp stdio --full-access'],
  },
  check: {
    usage: 'casdoor-mcp check [options]',
    summary:
      'Validate the configuration against Casdoor (discovery, JWKS, client credentials, token verification,\n' +
      'the application and its scopes, the call /readyz makes) and print a report with a fix for each problem.\n' +
      'Exit code 0 only when nothing failed.',
    options: [],
    variables: [...CASDOOR_VARS, 'MCP_PUBLIC_URL', 'MCP_ALLOWED_ORGANIZATIONS', 'MCP_TRUSTED_CLIENTS', 'HOST'],
    examples: ['CASDOOR_ENDPOINT=https://door.example.com CASDOOR_CLIENT_ID=... CASDOOR_CLIENT_SECRET=... CASDOOR_APPLICATION=casdoor-mcp casdoor-mcp check'],
  },
  'scopes-sync': {
    usage: 'casdoor-mcp scopes sync [--apply] [--prune] [options]',
    summary:
      "Make the Casdoor application's scopes and customScopes (the consent screen) match scopes.json. Prints\n" +
      'the diff and writes only with --apply.',
    options: [
      '  --apply          write the changes (default: only print them)',
      '  --prune          also remove scopes that scopes.json does not define',
    ],
    variables: CASDOOR_VARS,
    examples: ['casdoor-mcp scopes sync', 'casdoor-mcp scopes sync --apply'],
  },
};

const COMMANDS = `Commands (casdoor-mcp <command> --help for one command):
  serve            (default) serve MCP over Streamable HTTP; without CASDOOR_ENDPOINT on a built-in sandbox Casdoor
  stdio            serve the same tools over stdio for local MCP clients (Claude Desktop)
  check            validate the configuration against Casdoor and print a fix for each problem
  scopes sync      make the Casdoor application's scopes match scopes.json (writes only with --apply)`;

function variableTable(names?: readonly string[]): string {
  const chosen = names ? VARIABLES.filter((v) => names.includes(v.name)) : VARIABLES;
  const rows = chosen.map((v) => [v.boolean ? `--[no-]${v.flag}` : `--${v.flag} <value>`, v] as const);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows
    .map(([flag, v]) => `  ${flag.padEnd(width)}  ${v.name}\n      ${v.description} (default: ${v.default})${v.secret ? '; prefer the environment variable' : ''}`)
    .join('\n');
}

const CONFIG_NOTE = [
  'Configuration: each flag overrides its environment variable, which overrides a line of ./.env',
  '(see docs/configuration.md). Boolean flags take no value: --read-only sets true, --no-read-only false.',
];

/** The global help, or one command's when `command` is given. */
export function helpText(command?: Command): string {
  if (command) {
    const h = HELP[command];
    return [
      `Usage: ${h.usage}`,
      '',
      h.summary,
      '',
      ...(h.options.length ? ['Options:', ...h.options, '  -h, --help       print this help', ''] : ['Options:', '  -h, --help       print this help', '']),
      'Examples:',
      ...h.examples.map((e) => `  ${e}`),
      '',
      ...CONFIG_NOTE,
      variableTable(h.variables),
    ].join('\n');
  }
  return [
    'Usage: casdoor-mcp [serve | stdio | check | scopes sync] [options]',
    '',
    'An MCP server for administering Casdoor, with per-tool OAuth scopes.',
    '',
    COMMANDS,
    '',
    'Command options:',
    ...Object.values(HELP).flatMap((h) => h.options),
    '  -h, --help       print this help (after a command: that command\'s help)',
    '  -v, --version    print the version',
    '',
    ...CONFIG_NOTE,
    variableTable(),
  ].join('\n');
}
