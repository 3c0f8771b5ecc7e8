// Investigation only: what one Casdoor read costs the calling process, one call at a time, the sandbox in
// its own process: a plain node:http GET, our transport alone (src/casdoor/transport.ts, no axios), and
// the adapter (casdoor-nodejs-sdk over axios over that transport). Prints CPU µs and wall µs per call.
// `node bench/experiments/adapter-cost.mjs [calls] [rounds]`
import http from 'node:http';
import { createCasdoorAdapter } from '../../dist/src/casdoor/adapter.js';
import { createNodeAdapter } from '../../dist/src/casdoor/transport.js';
import { freePort, startSandboxProcess, stop } from '../processes.mjs';

const calls = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 3);
const sandbox = await startSandboxProcess(await freePort());
const { clientId, clientSecret, organization, application } = sandbox.demo;
const adapter = createCasdoorAdapter({ endpoint: sandbox.url, clientId, clientSecret, organization, application, timeoutMs: 5000 });
const transport = createNodeAdapter();
const agent = new http.Agent({ keepAlive: true });
const auth = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
const url = `${sandbox.url}/api/get-application?id=admin/acme-portal`;
// Each variant parses the JSON answer, as the adapter does.
const raw = () =>
  new Promise((resolve, reject) => {
    http.get(url, { agent, headers: { Authorization: auth } }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d)).on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    }).on('error', reject);
  });
const viaTransport = async () =>
  JSON.parse((await transport({ baseURL: `${sandbox.url}/api`, url: '/get-application', params: { id: 'admin/acme-portal' }, headers: { Authorization: auth }, timeout: 5000 })).data);
const variants = { 'node:http GET': raw, 'transport alone': viaTransport, 'adapter.getApplication': () => adapter.getApplication('acme-portal') };
for (let round = 1; round <= rounds; round += 1) {
  for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < 300; i += 1) await fn();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i += 1) await fn();
    const cpu = process.cpuUsage(cpu0);
    console.log(`round ${round} ${name}: ${((cpu.user + cpu.system) / calls).toFixed(0)} CPU µs/call, ${(((performance.now() - t0) * 1000) / calls).toFixed(0)} µs/call wall`);
  }
}
await stop(sandbox);
process.exit(0);
