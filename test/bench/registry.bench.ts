/**
 * Reading ECR at scale: 1,000 repositories × 2,000 images through the emulator (in a child
 * process) over real HTTP with the real ECRClient. Reports wall time, CPU seconds of both
 * sides, DescribeImages calls (must equal the minimum Σ ceil(images/1000)), peak RSS and the
 * size of the listing cache; then the floor (the same pages over raw HTTP + JSON.parse, no
 * SDK, registry-floor.ts) and one scan at a higher concurrency.
 * BENCH_QUICK=1: 50 × 2,000. BENCH_RUNS: repetitions. Goal: under 15 s and under 300 MB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createEcrSource } from '../../src/registry/ecr/source.js';
import { readRaw } from './registry-floor.js';

const quick = process.env['BENCH_QUICK'] === '1';
const repositories = quick ? 50 : 1000;
const images = 2000;
const runs = Number(process.env['BENCH_RUNS'] ?? (quick ? 2 : 3));
const altConcurrency = Number(process.env['BENCH_ALT_CONCURRENCY'] ?? 16);
const expectedCalls = repositories * Math.ceil(images / 1000);
const MB = 1e6;

interface Ready {
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly createMs: number;
}
interface Calls {
  readonly describeImages: number;
  readonly maxRssKb: number;
  readonly cpuMs: number;
}

function ask<T>(child: ChildProcess, message?: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    if (message) child.send(message);
  });
}

const child = fork(fileURLToPath(new URL('./registry-emulator.ts', import.meta.url)), [], {
  execArgv: [
    '--import',
    'tsx',
    '--no-warnings',
    ...(process.env['BENCH_EMULATOR_ARGS'] ?? '').split(' ').filter(Boolean),
  ],
  env: { ...process.env, BENCH_REPOSITORIES: String(repositories), BENCH_IMAGES: String(images) },
});
const ready = await ask<Ready>(child);
const names = Array.from({ length: repositories }, (_, i) => `bench/repo-${i}`);
const config = configSchema.parse({
  version: 1,
  git: { url: 'file:///dev/null' },
  aws: { endpoint: ready.endpoint },
  images: Object.fromEntries(
    names.map((name, i) => [
      `repo${i}`,
      { repository: `${ready.accountId}.dkr.ecr.${ready.region}.amazonaws.com/${name}` },
    ]),
  ),
  environments: {},
});
const keys = Object.keys(config.images);
let emulatorCpuMs = (await ask<Calls>(child, 'calls')).cpuMs;

interface Row {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly emulatorCpuMs: number;
  readonly calls: number;
}
interface ScanRow extends Row {
  readonly attempts: number;
  readonly failed: number;
  readonly candidates: number;
  readonly materializeMs: number;
  readonly cacheMb: number;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly peakExternalMb: number;
}

/** CPU and wall of `work`, and the emulator's CPU and DescribeImages calls meanwhile. */
async function measured<T>(work: () => Promise<T>): Promise<Row & { result: T }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const calls = await ask<Calls>(child, 'calls');
  const row = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    emulatorCpuMs: calls.cpuMs - emulatorCpuMs,
    calls: calls.describeImages,
    result,
  };
  emulatorCpuMs = calls.cpuMs;
  return row;
}

async function scan(concurrency: number): Promise<ScanRow> {
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
  const peak = { heap: 0, external: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    peak.heap = Math.max(peak.heap, now.heapTotal);
    peak.external = Math.max(peak.external, now.external);
  };
  const sampler = setInterval(sample, 50);
  const row = await measured(() => source.listMany(keys, { fresh: true, concurrency }));
  clearInterval(sampler);
  sample();
  const materializeStarted = performance.now();
  let candidates = 0;
  for (const key of keys) candidates += (await source.list(key)).candidates.length;
  const materializeMs = performance.now() - materializeStarted;
  const cacheBytes = [...row.result.listed.values()].reduce((sum, summary) => sum + summary.bytes, 0);
  source.close();
  return {
    ...row,
    attempts,
    failed: row.result.failed.size,
    candidates,
    materializeMs,
    cacheMb: cacheBytes / MB,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    peakHeapMb: peak.heap / MB,
    peakExternalMb: peak.external / MB,
  };
}

const rssAtStartMb = process.memoryUsage().rss / MB;
const concurrency = config.aws.maxConcurrency;
const scans: ScanRow[] = [];
const floors: Row[] = [];
for (let run = 0; run < runs; run += 1) {
  scans.push(await scan(concurrency));
  floors.push(await measured(() => readRaw(ready.endpoint, names, concurrency)));
}
const alt = await scan(altConcurrency);
const emulatorRssMb = ((await ask<Calls>(child, 'calls')).maxRssKb * 1024) / MB;
child.send('close');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const s = (ms: number) => (ms / 1000).toFixed(2);
const f = (value: number, digits = 0) => value.toFixed(digits);
const perPage = (ms: number) => f(ms / expectedCalls, 1);
const out = process.stdout;
out.write(
  `ECR scan: ${repositories} repositories × ${images} images (${expectedCalls} DescribeImages pages), ` +
    `aws.maxConcurrency ${concurrency}; emulator in a child process (its peak RSS ${f(emulatorRssMb)} MB); ` +
    `drawbridge's RSS before the first scan ${f(rssAtStartMb)} MB (tsx loader included)\n\n`,
);
out.write(
  '| run | scan wall (s) | CPU drawbridge (s) | CPU emulator (s) | DescribeImages calls | minimum | peak RSS (MB) | peak V8 heap / external (MB) | cache (MB) | materialise all (s) |\n',
);
out.write('|---|---|---|---|---|---|---|---|---|---|\n');
scans.forEach((row, index) => {
  out.write(
    `| ${index + 1} | ${s(row.wallMs)} | ${s(row.cpuMs)} | ${s(row.emulatorCpuMs)} | ${row.calls} | ${expectedCalls} | ` +
      `${f(row.peakRssMb)} | ${f(row.peakHeapMb)} / ${f(row.peakExternalMb)} | ${f(row.cacheMb)} | ${s(row.materializeMs)} |\n`,
  );
});
const med = (pick: (row: Row) => number, rows: readonly Row[]) => median(rows.map(pick));
const scanWall = med((r) => r.wallMs, scans);
const scanCpu = med((r) => r.cpuMs, scans);
const peak = Math.max(...scans.map((r) => r.peakRssMb));
out.write(
  `| **median** | **${s(scanWall)}** | **${s(scanCpu)}** | **${s(med((r) => r.emulatorCpuMs, scans))}** | | | **${f(peak)}** (max) | | | |\n\n`,
);

const floorWall = med((r) => r.wallMs, floors);
const floorCpu = med((r) => r.cpuMs, floors);
out.write('| medians | wall (s) | client CPU (s) | client CPU per page (ms) | emulator CPU (s) | calls |\n');
out.write('|---|---|---|---|---|---|\n');
out.write(
  `| drawbridge (ECRClient, concurrency ${concurrency}) | ${s(scanWall)} | ${s(scanCpu)} | ${perPage(scanCpu)} | ${s(med((r) => r.emulatorCpuMs, scans))} | ${scans[0]?.calls} |\n`,
);
out.write(
  `| floor: raw HTTP + JSON.parse, no SDK (concurrency ${concurrency}) | ${s(floorWall)} | ${s(floorCpu)} | ${perPage(floorCpu)} | ${s(med((r) => r.emulatorCpuMs, floors))} | ${floors[0]?.calls} |\n`,
);
out.write(
  `| drawbridge, concurrency ${altConcurrency} (one run) | ${s(alt.wallMs)} | ${s(alt.cpuMs)} | ${perPage(alt.cpuMs)} | ${s(alt.emulatorCpuMs)} | ${alt.calls} |\n`,
);
out.write(
  `| **ratio drawbridge / floor** | **${f(scanWall / floorWall, 2)}×** | **${f(scanCpu / floorCpu, 2)}×** | | | |\n\n`,
);

const exact = [...scans, alt].every(
  (row) => row.calls === expectedCalls && row.attempts === expectedCalls && row.failed === 0,
);
const floorExact = floors.every((row) => row.calls === expectedCalls);
out.write(
  `calls = minimum in every run: ${exact ? 'yes' : 'NO'}; goal under 15 s: ${scanWall < 15_000 ? 'met' : 'missed'} ` +
    `(${f(scanWall / 15_000, 2)}× the goal; the floor alone takes ${f(floorWall / 15_000, 2)}×); ` +
    `under 300 MB: ${peak < 300 ? 'met' : 'missed'} (${f(peak / 300, 2)}× the goal)\n`,
);
if (!exact || !floorExact) process.exitCode = 1;
