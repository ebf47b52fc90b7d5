/**
 * Reading ECR at scale: 1,000 repositories × 2,000 images through the emulator (in a child
 * process) over real HTTP with the real ECRClient. Reports wall time, DescribeImages calls
 * (must equal the minimum Σ ceil(images/1000)), peak RSS and the size of the listing cache.
 * BENCH_QUICK=1: 50 × 2,000. Goal: under 15 s and under 300 MB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import { createEcrSource } from '../../src/registry/ecr/source.js';

const quick = process.env['BENCH_QUICK'] === '1';
const repositories = quick ? 50 : 1000;
const images = 2000;
const runs = Number(process.env['BENCH_RUNS'] ?? (quick ? 2 : 3));
const expectedCalls = repositories * Math.ceil(images / 1000);

interface Ready {
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly createMs: number;
}
interface Calls {
  readonly describeImages: number;
  readonly total: number;
  readonly maxRssKb: number;
  readonly cpuMs: number;
}

function request<T>(child: ChildProcess, message?: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    if (message) child.send(message);
  });
}

const child = fork(fileURLToPath(new URL('./registry-emulator.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx', '--no-warnings', ...(process.env['BENCH_EMULATOR_ARGS'] ?? '').split(' ').filter(Boolean)],
  env: { ...process.env, BENCH_REPOSITORIES: String(repositories), BENCH_IMAGES: String(images) },
});
const ready = await request<Ready>(child);

const config = configSchema.parse({
  version: 1,
  git: { url: 'file:///dev/null' },
  aws: { endpoint: ready.endpoint },
  images: Object.fromEntries(
    Array.from({ length: repositories }, (_, i) => [
      `repo${i}`,
      { repository: `${ready.accountId}.dkr.ecr.${ready.region}.amazonaws.com/bench/repo-${i}` },
    ]),
  ),
  environments: {},
});
const keys = Object.keys(config.images);

interface Row {
  scanMs: number;
  materializeMs: number;
  calls: number;
  attempts: number;
  candidates: number;
  failed: number;
  peakRssMb: number;
  cacheMb: number;
  cpuMs: number;
  emulatorCpuMs: number;
  emulatorCpuTotal: number;
}

const rssAtStartMb = process.memoryUsage().rss / 1e6;
const rows: Row[] = [];
for (let run = 0; run < runs; run += 1) {
  const cpuBefore = process.cpuUsage();
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
  const memory = { heapTotal: 0, heapUsed: 0, external: 0, rss: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    memory.heapTotal = Math.max(memory.heapTotal, now.heapTotal);
    memory.heapUsed = Math.max(memory.heapUsed, now.heapUsed);
    memory.external = Math.max(memory.external, now.external);
    memory.rss = Math.max(memory.rss, now.rss);
  };
  const sampler = setInterval(sample, 50);
  const started = performance.now();
  const result = await source.listMany(keys, { fresh: true });
  const scanMs = performance.now() - started;
  clearInterval(sampler);
  sample();
  process.stderr.write(`MEM ${JSON.stringify(Object.fromEntries(Object.entries(memory).map(([k, v]) => [k, Math.round(v / 1e6)])))} peak ${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
  const materializeStarted = performance.now();
  let candidates = 0;
  for (const key of keys) candidates += (await source.list(key)).candidates.length;
  const materializeMs = performance.now() - materializeStarted;
  const cpu = process.cpuUsage(cpuBefore);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const cacheMb = [...result.listed.values()].reduce((sum, summary) => sum + summary.bytes, 0) / 1e6;
  source.close();
  const calls = await request<Calls>(child, 'calls');
  rows.push({
    scanMs,
    materializeMs,
    calls: calls.describeImages,
    attempts,
    candidates,
    failed: result.failed.size,
    peakRssMb,
    cacheMb,
    cpuMs: (cpu.user + cpu.system) / 1000,
    emulatorCpuMs: calls.cpuMs - (rows.at(-1)?.emulatorCpuTotal ?? 0),
    emulatorCpuTotal: calls.cpuMs,
  });
}
const emulatorCalls = await request<Calls>(child, 'calls');
child.send('close');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const fmt = (value: number, digits = 1) => value.toFixed(digits);
const out = process.stdout;
out.write(
  `ECR scan: ${repositories} repositories × ${images} images, aws.maxConcurrency ${config.aws.maxConcurrency}, `,
);
out.write(
  `emulator in a child process (bulk create ${fmt(ready.createMs, 0)} ms, its peak RSS ${fmt(emulatorCalls.maxRssKb / 1024, 0)} MB); drawbridge's RSS before the first scan: ${fmt(rssAtStartMb, 0)} MB\n\n`,
);
out.write(
  '| run | scan (s) | pages/s | DescribeImages calls | minimum | candidates | materialise all (s) | peak RSS (MB) | cache, compact (MB) | CPU drawbridge / emulator (s) |\n',
);
out.write('|---|---|---|---|---|---|---|---|---|---|\n');
rows.forEach((row, index) => {
  out.write(
    `| ${index + 1} | ${fmt(row.scanMs / 1000, 2)} | ${fmt(row.calls / (row.scanMs / 1000), 0)} | ${row.calls} | ${expectedCalls} | ${row.candidates} | ${fmt(row.materializeMs / 1000, 2)} | ${fmt(row.peakRssMb, 0)} | ${fmt(row.cacheMb, 0)} | ${fmt(row.cpuMs / 1000)} / ${fmt(row.emulatorCpuMs / 1000)} |\n`,
  );
});
const medianScan = median(rows.map((r) => r.scanMs)) / 1000;
const peak = Math.max(...rows.map((r) => r.peakRssMb));
out.write(
  `| **median** | **${fmt(medianScan, 2)}** | | | | | **${fmt(median(rows.map((r) => r.materializeMs)) / 1000, 2)}** | **${fmt(peak, 0)}** (max) | **${fmt(median(rows.map((r) => r.cacheMb)), 0)}** | |\n\n`,
);
const exact = rows.every(
  (row) => row.calls === expectedCalls && row.attempts === expectedCalls && row.failed === 0,
);
out.write(
  `calls = minimum in every run: ${exact ? 'yes' : 'NO'}; goal under 15 s: ${medianScan < 15 ? 'met' : 'missed'} (${fmt(medianScan / 15, 2)}× the goal); under 300 MB: ${peak < 300 ? 'met' : 'missed'} (${fmt(peak / 300, 2)}× the goal)\n`,
);
if (!exact) process.exitCode = 1;
