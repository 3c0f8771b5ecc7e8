import type { Row } from '../family.js';
import type { SandboxStore } from '../types.js';

/** The generic table of a family, created on first use. */
export function table(store: SandboxStore, name: string): Map<string, Row> {
  let rows = store.tables.get(name);
  if (!rows) {
    rows = new Map();
    store.tables.set(name, rows);
  }
  return rows;
}
