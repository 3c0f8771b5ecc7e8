// node:fs plus the globSync that Node 20 lacks (see conformance-node20.mjs).
import fs from 'node:fs';

export * from 'node:fs';
export default fs;

export function globSync(pattern) {
  throw new Error(`fs.globSync(${JSON.stringify(pattern)}) needs Node 22; run the conformance suite on Node 22 for this command`);
}
