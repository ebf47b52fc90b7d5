/**
 * Reading ECR at scale: 1,000 repositories × 2,000 images through the emulator over real
 * HTTP with the real ECRClient. The emulator runs in one child process for the whole bench;
 * every scan runs in a fresh child (registry-scan.ts, transpiled to run against the built dist/
 * without tsx, as users run drawbridge), so its peak RSS is its own. Reports
 * wall time, CPU seconds of both sides, DescribeImages calls (must equal the minimum
 * Σ ceil(images/1000)), peak RSS and the listing cache; then the floor (the same pages over
 * raw HTTP + JSON.parse, no SDK) and one scan at a higher concurrency.
 * BENCH_QUICK=1: 50 × 2,000. BENCH_RUNS: repetitions. Goal: under 15 s and under 300 MB.
 */
import { execFileSync, fork, type ChildProcess, type Serializable } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { ScanReport, ScanRequest } from './registry-scan.js';

const quick = process.env['BENCH_QUICK'] === '1';
const repositories = quick ? 50 : 1000;
const images = 2000;
const runs = Number(process.env['BENCH_RUNS'] ?? (quick ? 2 : 3));
const concurrency = 8; // aws.maxConcurrency's default
const altConcurrency = Number(process.env['BENCH_ALT_CONCURRENCY'] ?? 16);
const expectedCalls = repositories * Math.ceil(images / 1000);
const MB = 1e6;

interface Ready {
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
}
interface Calls {
  readonly describeImages: number;
  readonly maxRssKb: number;
  readonly cpuMs: number;
}

function ask<T>(child: ChildProcess, message?: Serializable): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    if (message !== undefined) child.send(message);
  });
}

const tsx = ['--import', 'tsx', '--no-warnings'];

/**
 * The scan child as users run drawbridge: plain JavaScript against the built `dist/` (tsx's
 * loader costs ~30 MB of RSS the daemon does not have). Builds dist/ first, then transpiles
 * the two child modules into node_modules/.cache with their `src/` imports pointed at it.
 */
function builtScanChild(): string {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const require = createRequire(import.meta.url);
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'src', 'tsconfig.build.json')], { stdio: 'inherit' });
  const out = join(root, 'node_modules', '.cache', 'drawbridge-bench');
  mkdirSync(out, { recursive: true });
  const dist = pathToFileURL(join(root, 'dist')).href;
  for (const name of ['registry-scan', 'registry-floor']) {
    const source = readFileSync(fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const code = outputText
      .replaceAll("'../../src/", `'${dist}/`)
      .replaceAll("'./registry-floor.js'", "'./registry-floor.mjs'");
    writeFileSync(join(out, `${name}.mjs`), code);
  }
  return join(out, 'registry-scan.mjs');
}
const scanChild = builtScanChild();
const emulator = fork(fileURLToPath(new URL('./registry-emulator.ts', import.meta.url)), [], {
  execArgv: [...tsx, ...(process.env['BENCH_EMULATOR_ARGS'] ?? '').split(' ').filter(Boolean)],
  env: { ...process.env, BENCH_REPOSITORIES: String(repositories), BENCH_IMAGES: String(images) },
});
const ready = await ask<Ready>(emulator);
let emulatorCpuMs = (await ask<Calls>(emulator, 'calls')).cpuMs;

interface Row extends ScanReport {
  readonly calls: number;
  readonly emulatorCpuMs: number;
}

/** One scan in a fresh process; the emulator's CPU and DescribeImages calls meanwhile. */
async function run(mode: ScanRequest['mode'], scanConcurrency: number): Promise<Row> {
  const child = fork(scanChild, [], {
    execArgv: ['--no-warnings', ...(process.env['BENCH_SCAN_ARGS'] ?? '').split(' ').filter(Boolean)],
  });
  await ask<string>(child);
  const request: ScanRequest = { mode, ...ready, repositories, concurrency: scanConcurrency };
  const report = await ask<ScanReport>(child, { ...request });
  const calls = await ask<Calls>(emulator, 'calls');
  const row = { ...report, calls: calls.describeImages, emulatorCpuMs: calls.cpuMs - emulatorCpuMs };
  emulatorCpuMs = calls.cpuMs;
  return row;
}

const scans: Row[] = [];
const floors: Row[] = [];
for (let index = 0; index < runs; index += 1) {
  scans.push(await run('sdk', concurrency));
  floors.push(await run('floor', concurrency));
}
const alt = await run('sdk', altConcurrency);
const emulatorRssMb = ((await ask<Calls>(emulator, 'calls')).maxRssKb * 1024) / MB;
emulator.send('close');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const med = (pick: (row: Row) => number, rows: readonly Row[]) => median(rows.map(pick));
const s = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / MB).toFixed(0);
const perPage = (ms: number) => (ms / expectedCalls).toFixed(1);
const out = process.stdout;
out.write(
  `ECR scan: ${repositories} repositories × ${images} images (${expectedCalls} DescribeImages pages), ` +
    `concurrency ${concurrency}; emulator in its own process (peak RSS ${emulatorRssMb.toFixed(0)} MB); ` +
    `each scan in a fresh process running the built JavaScript (dist/), as users run drawbridge\n\n`,
);
out.write(
  '| run | scan wall (s) | CPU drawbridge (s) | CPU emulator (s) | DescribeImages calls | minimum | RSS before → peak (MB) | peak V8 heap / external (MB) | cache (MB) | materialise all: s, peak RSS (MB) |\n',
);
out.write('|---|---|---|---|---|---|---|---|---|---|\n');
scans.forEach((row, index) => {
  out.write(
    `| ${index + 1} | ${s(row.wallMs)} | ${s(row.cpuMs)} | ${s(row.emulatorCpuMs)} | ${row.calls} | ${expectedCalls} | ` +
      `${mb(row.rssBeforeBytes)} → ${mb(row.peakRssBytes)} | ${mb(row.peakHeapBytes)} / ${mb(row.peakExternalBytes)} | ` +
      `${mb(row.cacheBytes)} | ${s(row.materializeMs)}, ${mb(row.materializedRssBytes)} |\n`,
  );
});
const scanWall = med((r) => r.wallMs, scans);
const scanCpu = med((r) => r.cpuMs, scans);
const peakRss = med((r) => r.peakRssBytes, scans) / MB;
out.write(
  `| **median** | **${s(scanWall)}** | **${s(scanCpu)}** | **${s(med((r) => r.emulatorCpuMs, scans))}** | | | ` +
    `**${peakRss.toFixed(0)}** | | | |\n\n`,
);

const floorWall = med((r) => r.wallMs, floors);
const floorCpu = med((r) => r.cpuMs, floors);
out.write(
  '| medians | wall (s) | client CPU (s) | client CPU per page (ms) | emulator CPU (s) | peak RSS (MB) | calls |\n',
);
out.write('|---|---|---|---|---|---|---|\n');
const line = (name: string, wall: number, cpu: number, emulatorCpu: number, rss: number, calls: number) =>
  out.write(
    `| ${name} | ${s(wall)} | ${s(cpu)} | ${perPage(cpu)} | ${s(emulatorCpu)} | ${mb(rss)} | ${calls} |\n`,
  );
line(
  `drawbridge (ECRClient), concurrency ${concurrency}`,
  scanWall,
  scanCpu,
  med((r) => r.emulatorCpuMs, scans),
  peakRss * MB,
  scans[0]?.calls ?? 0,
);
line(
  `floor: raw HTTP + JSON.parse, no SDK, concurrency ${concurrency}`,
  floorWall,
  floorCpu,
  med((r) => r.emulatorCpuMs, floors),
  med((r) => r.peakRssBytes, floors),
  floors[0]?.calls ?? 0,
);
line(
  `drawbridge, concurrency ${altConcurrency} (one run)`,
  alt.wallMs,
  alt.cpuMs,
  alt.emulatorCpuMs,
  alt.peakRssBytes,
  alt.calls,
);
out.write(
  `| **ratio drawbridge / floor** | **${(scanWall / floorWall).toFixed(2)}×** | **${(scanCpu / floorCpu).toFixed(2)}×** | | | | |\n\n`,
);

const exact = [...scans, alt].every(
  (row) =>
    row.calls === expectedCalls &&
    row.attempts === expectedCalls &&
    row.pages === expectedCalls &&
    row.failed === 0 &&
    row.candidates === repositories * images,
);
const floorExact = floors.every((row) => row.calls === expectedCalls && row.pages === expectedCalls);
out.write(
  `calls = minimum in every run: ${exact ? 'yes' : 'NO'}; goal under 15 s: ${scanWall < 15_000 ? 'met' : 'missed'} ` +
    `(${(scanWall / 15_000).toFixed(2)}× the goal; the floor alone takes ${(floorWall / 15_000).toFixed(2)}×); ` +
    `under 300 MB: ${peakRss < 300 ? 'met' : 'missed'} (${(peakRss / 300).toFixed(2)}× the goal)\n`,
);
if (!exact || !floorExact) process.exitCode = 1;
