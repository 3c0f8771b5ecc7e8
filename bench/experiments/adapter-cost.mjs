// Investigation only: what one Casdoor read costs through the adapter (casdoor-nodejs-sdk over axios)
// against a plain node:http GET of the same URL, one call at a time, the sandbox in its own process.
// `node bench/experiments/adapter-cost.mjs [calls]`
import http from 'node:http';
import { createCasdoorAdapter } from '../../dist/src/casdoor/adapter.js';
import { freePort, startSandboxProcess, stop } from '../processes.mjs';

const calls = Number(process.argv[2] ?? 3000);
const sandbox = await startSandboxProcess(await freePort());
const { clientId, clientSecret, organization, application } = sandbox.demo;
const adapter = createCasdoorAdapter({ endpoint: sandbox.url, clientId, clientSecret, organization, application, timeoutMs: 5000 });
const agent = new http.Agent({ keepAlive: true });
const auth = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
const raw = () =>
  new Promise((resolve, reject) => {
    http.get(`${sandbox.url}/api/get-application?id=admin/acme-portal`, { agent, headers: { Authorization: auth } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(name, fn) {
  for (let i = 0; i < 300; i += 1) await fn();
  const t = [];
  for (let i = 0; i < calls; i += 1) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  console.log(`${name}: median ${(median(t) * 1000).toFixed(0)} µs`);
  return median(t);
}
for (let round = 0; round < 4; round += 1) {
  await time('node:http GET', raw);
  await time('adapter.getApplication', () => adapter.getApplication('acme-portal'));
}
await stop(sandbox);
process.exit(0);
