/**
 * One scan for registry.bench.ts, in a fresh process so that its peak RSS is this scan's
 * alone: `sdk` reads every repository through drawbridge's ECR source (the real ECRClient),
 * `floor` reads the same pages over raw HTTP + JSON.parse (registry-floor.ts).
 */
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createEcrSource } from '../../src/registries/ecr/source.js';
import { readRaw } from './registry-floor.js';

export interface ScanRequest {
  readonly mode: 'sdk' | 'floor';
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly repositories: number;
  readonly concurrency: number;
}

export interface ScanReport {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly pages: number;
  readonly attempts: number;
  readonly failed: number;
  readonly candidates: number;
  readonly materializeMs: number;
  readonly cacheBytes: number;
  readonly rssBeforeBytes: number;
  readonly peakRssBytes: number;
  /** High-water mark after materialising all two million candidates (a check, not a daemon's work). */
  readonly materializedRssBytes: number;
  readonly peakHeapBytes: number;
  readonly peakExternalBytes: number;
}

async function scan(request: ScanRequest): Promise<ScanReport> {
  const names = Array.from({ length: request.repositories }, (_, i) => `bench/repo-${i}`);
  const config = configSchema.parse({
    version: 1,
    git: { url: 'file:///dev/null' },
    aws: { endpoint: request.endpoint },
    images: Object.fromEntries(
      names.map((name, i) => [
        `repo${i}`,
        { repository: `${request.accountId}.dkr.ecr.${request.region}.amazonaws.com/${name}` },
      ]),
    ),
    environments: {},
  });
  let attempts = 0;
  const source = createEcrSource({
    config,
    logger: silentLogger(),
    env: {},
    credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }),
    onCall: () => {
      attempts += 1;
    },
  });
  const keys = Object.keys(config.images);
  const rssBeforeBytes = process.memoryUsage().rss;
  const peak = { heap: 0, external: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    peak.heap = Math.max(peak.heap, now.heapTotal);
    peak.external = Math.max(peak.external, now.external);
  };
  const sampler = setInterval(sample, 50);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let pages = 0;
  let failed = 0;
  let cacheBytes = 0;
  if (request.mode === 'floor') {
    pages = (await readRaw(request.endpoint, names, request.concurrency)).pages;
  } else {
    const result = await source.listMany(keys, { fresh: true, concurrency: request.concurrency });
    failed = result.failed.size;
    for (const summary of result.listed.values()) {
      pages += summary.pages;
      cacheBytes += summary.bytes;
    }
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  sample();
  // The scan's high-water mark, before the check below builds every candidate object at once.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const materializeStarted = performance.now();
  let candidates = 0;
  if (request.mode === 'sdk')
    for (const key of keys) candidates += (await source.list(key)).candidates.length;
  const materializeMs = performance.now() - materializeStarted;
  source.close();
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    pages,
    attempts,
    failed,
    candidates,
    materializeMs,
    cacheBytes,
    rssBeforeBytes,
    peakRssBytes,
    materializedRssBytes: process.resourceUsage().maxRSS * 1024,
    peakHeapBytes: peak.heap,
    peakExternalBytes: peak.external,
  };
}

process.once('message', (request: ScanRequest) => {
  void scan(request).then((report) => process.send?.(report, () => process.exit(0)));
});
process.send?.('ready');
