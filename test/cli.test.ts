import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'warn' };
const run = promisify(execFile);

describe('the casdoor-mcp command (built by npm test before vitest runs)', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGTERM')));

  it('fails at start with one line naming a bad variable, exit code 2', async () => {
    const err = await run('node', [cli, 'serve'], { env: { ...baseEnv, PORT: 'eighty' } }).catch((e) => e);
    expect(err.code).toBe(2);
    expect(err.stderr.trim().split('\n')).toHaveLength(1);
    expect(err.stderr).toContain('PORT');
  });

  it('starts on the sandbox, and the command it prints returns the tool list', async () => {
    const child = spawn('node', [cli], { env: baseEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 10_000);
      child.stdout!.on('data', (d) => {
        out += String(d);
        if (out.includes('TOKEN=$(')) {
          clearTimeout(timer);
          setTimeout(resolve, 50);
        }
      });
    });
    expect(out).toMatch(/listening: http:\/\/127\.0\.0\.1:\d+\/mcp/);
    expect(out).toMatch(/Demo client secret: [0-9a-f]+/);
    const command = out.split('\n').find((l) => l.trim().startsWith('TOKEN=$('))!.trim();
    const { stdout } = await run('bash', ['-c', command], { env: baseEnv });
    const body = JSON.parse(stdout);
    expect(body.result.tools.map((t: { name: string }) => t.name)).toEqual([
      'get_applications', 'get_application', 'add_application', 'update_application', 'delete_application',
    ]);
  });

  it('--help prints usage', async () => {
    const { stdout } = await run('node', [cli, '--help'], { env: baseEnv });
    expect(stdout).toContain('Usage: casdoor-mcp');
  });
});
