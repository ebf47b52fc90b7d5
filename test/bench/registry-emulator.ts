/**
 * The emulator for registry.bench.ts, in its own process so the benchmark's RSS is
 * drawbridge's alone and the two sides use both cores. Talks to the parent over IPC.
 */
import { startEmulator } from '../../src/testing/emulator/index.js';

const repositories = Number(process.env['BENCH_REPOSITORIES'] ?? 1000);
const images = Number(process.env['BENCH_IMAGES'] ?? 2000);

const emulator = await startEmulator();
const started = performance.now();
emulator.ecr.bulkCreate({ repositories, imagesPerRepository: images, prefix: 'bench/repo-' });
const createMs = performance.now() - started;

process.on('message', (message: unknown) => {
  if (message === 'calls') {
    process.send?.({
      describeImages: emulator.server.calls('DescribeImages'),
      total: emulator.server.calls(),
      maxRssKb: process.resourceUsage().maxRSS,
      cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
    });
    emulator.server.resetCalls();
    return;
  }
  if (message === 'close') void emulator.close().then(() => process.exit(0));
});
process.send?.({
  endpoint: emulator.endpoint,
  accountId: emulator.accountId,
  region: emulator.region,
  createMs,
});
