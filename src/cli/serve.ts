import type { Logger } from 'pino';
import { banner } from '../banner.js';
import type { Config } from '../config.js';
import { startServer } from '../main.js';

/** `casdoor-mcp serve`: the HTTP server, until SIGINT or SIGTERM. Resolves with the exit code. */
export async function runServe(config: Config, logger: Logger, stdout: (text: string) => void): Promise<number> {
  const running = await startServer(config, logger);
  stdout(`${banner(running)}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      running.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
