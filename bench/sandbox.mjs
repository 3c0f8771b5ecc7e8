// The sandbox Casdoor in a process of its own, so the server under test and Casdoor do not share one
// event loop (as with a real Casdoor). Prints one JSON line with its URL and demo credentials.
// Usage: node bench/sandbox.mjs <port>
import { startSandbox } from '../dist/src/sandbox/index.js';

const port = Number(process.argv[2] ?? 0);
const sandbox = await startSandbox({ host: '127.0.0.1', port, requestLogLimit: 10_000 });
process.stdout.write(`${JSON.stringify({ url: sandbox.url, issuer: sandbox.issuer, tokenEndpoint: sandbox.tokenEndpoint, demo: sandbox.demo })}\n`);
process.once('SIGTERM', () => process.exit(0));
