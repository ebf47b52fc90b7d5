import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most integration tests wait on git and HTTP children, so a third worker helps on 2 cores.
    poolOptions: { forks: { minForks: 1, maxForks: 3 } },
  },
});
