import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The fleet-size tests (`*fleet*.test.ts`) are the longest by far; started first they run
 * beside the many short files instead of alone at the end. Otherwise vitest's own order: the
 * longest of the last run first (its cache), else the largest files.
 */
class FleetFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const fleet = (file: TestSpecification): boolean => /fleet[^/]*\.test\.ts$/.test(file.moduleId);
    return [...sorted.filter(fleet), ...sorted.filter((file) => !fleet(file))];
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most integration tests wait on git and HTTP children, so a third worker helps on 2 cores.
    poolOptions: { forks: { minForks: 1, maxForks: 3 } },
    sequence: { sequencer: FleetFirst },
  },
});
