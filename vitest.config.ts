import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ when it is older than the sources: the CLI and stdio tests run the built command.
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Each file starts its own servers on ephemeral loopback ports; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
