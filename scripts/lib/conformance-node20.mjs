// Lets the conformance CLI (built for Node 22) run on this project's Node 20: its only Node 22 need
// at import is fs.globSync, which the server scenarios never call. The hook hands the CLI an fs with
// a globSync that fails loudly if anything does call it. Used only by scripts/conformance.mjs.
import { register } from 'node:module';

register('./conformance-node20-hooks.mjs', import.meta.url);
