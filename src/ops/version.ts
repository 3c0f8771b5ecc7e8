import { readFileSync } from 'node:fs';

/**
 * The package version. Read at run time rather than imported: the published package holds
 * package.json at its root only, while the build (dist/src) sits one level deeper than the sources.
 */
export function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'casdoor-mcp' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: try one level up
    }
  }
  return '0.0.0';
}
