// The sandbox's data folder: keys and every table in one JSON file, so a demo survives restarts
// (stored client configs, tokens and registered clients keep working).
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyRing, SavedKey } from './keys.js';
import { TokenStore } from './token-store.js';
import type { SandboxStore, TokenRecord } from './types.js';

const FILE = 'sandbox.json';
const VERSION = 2;

export interface Snapshot {
  version: number;
  keys: SavedKey[];
  tables: Record<string, Array<[string, unknown]>>;
}

export function snapshotPath(dir: string): string {
  return join(dir, FILE);
}

/** The saved state, undefined when there is none; a damaged file is an error that says how to start over. */
export function loadSnapshot(dir: string): Snapshot | undefined {
  let text: string;
  try {
    text = readFileSync(snapshotPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const snap = JSON.parse(text) as Snapshot;
    if (snap.version !== VERSION || !Array.isArray(snap.keys) || typeof snap.tables !== 'object') throw new Error('unknown format');
    return snap;
  } catch (err) {
    throw new Error(`the sandbox data in ${snapshotPath(dir)} cannot be read (${(err as Error).message}); start over with casdoor-mcp serve --fresh`);
  }
}

export function removeSnapshot(dir: string): void {
  rmSync(snapshotPath(dir), { force: true });
}

/** Puts the saved rows into a freshly seeded store, table by table (tables the file lacks keep their seed). */
export function restoreTables(store: SandboxStore, snap: Snapshot): void {
  for (const [name, rows] of Object.entries(snap.tables)) {
    const table = (store as unknown as Record<string, unknown>)[name];
    if (table instanceof TokenStore && Array.isArray(rows)) table.load(rows.map(([, row]) => row as TokenRecord));
    if (!(table instanceof Map) || !Array.isArray(rows)) continue;
    table.clear();
    for (const [key, row] of rows) table.set(key, row);
  }
}

/** Writes the whole state atomically, readable by the owner only (it holds the signing key and passwords). */
export function saveSnapshot(dir: string, keys: KeyRing, store: SandboxStore): void {
  const tables: Snapshot['tables'] = {};
  for (const [name, table] of Object.entries(store)) {
    if (table instanceof Map) tables[name] = [...table.entries()];
    else if (table instanceof TokenStore) tables[name] = [...table.values()].map((row) => [row.accessTokenHash, row]);
  }
  const snap: Snapshot = { version: VERSION, keys: keys.saved(), tables };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${snapshotPath(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(snap), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, snapshotPath(dir));
}
