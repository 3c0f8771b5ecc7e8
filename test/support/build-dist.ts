// Vitest global setup: the CLI and stdio tests run the built command, so dist/ must match the sources.
// A dist/ older than any source is rebuilt here rather than tested stale; a failing build fails the run.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function isDistStale(): boolean {
  const built = join(root, 'dist/src/cli.js');
  if (!existsSync(built)) return true;
  const inputs = ['scopes.json', 'package.json', 'tsconfig.json'].map((f) => statSync(join(root, f)).mtimeMs);
  return Math.max(newestMtime(join(root, 'src')), ...inputs) > statSync(built).mtimeMs;
}

export default function setup(): void {
  if (!isDistStale()) return;
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
}
