/**
 * An OCI registry fleet through the whole `drawbridge scan` process (the built `dist/`):
 * 200 repositories × 100 tags in a local Debian docker-registry (the CNCF Distribution
 * server), 1,000 files with 7,000 marked references in one bare remote, every reference
 * updated in one commit. Goal: < 15 s and < 300 MB per process, with a fresh workdir each run
 * (the clone included), and the registry requests stated: the tag lists plus one HEAD per
 * image for a tag policy. One more run goes through a counting proxy in this process to count
 * the requests by kind; it is not timed.
 *
 * `node --import tsx test/bench/oci.bench.ts`; BENCH_QUICK=1 for a small smoke run,
 * BENCH_RUNS=n for n timed runs, BENCH_DIR=/dev/shm for tmpfs.
 */
import { request as httpRequest, createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapBounded } from '../../src/map-bounded.js';
import { seedRemote, type FleetImage } from '../helpers/big-fleet.js';
import { isolatedGitEnv } from '../helpers/git.js';
import { startTestRegistry } from '../helpers/oci-registry.js';
import {
  branchHead,
  build,
  check,
  commitsSince,
  median,
  processRuns,
  resetBranch,
  runScan,
  writeRssPreload,
  type ProcessRun,
} from './scan-process.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = processRuns();
const IMAGES = QUICK ? 20 : 200;
const TAGS = QUICK ? 10 : 100;
const FILES = QUICK ? 100 : 1_000;
const PER_FILE = 7;
const env = isolatedGitEnv();

const cli = build();
const root = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'drawbridge-bench-oci-'));
const preload = await writeRssPreload(root);
const registry = await startTestRegistry();

const seedStarted = performance.now();
const now = Date.now();
const tags = Array.from({ length: TAGS }, (_, t) => ({
  tag: `1.0.${t}`,
  created: new Date(now - (TAGS - t) * 3_600_000),
}));
await mapBounded(
  Array.from({ length: IMAGES }, (_, i) => i),
  8,
  async (i) => {
    await registry.pushTags(`bench/svc-${i}`, tags);
  },
);
const seedSeconds = (performance.now() - seedStarted) / 1000;

/** Counts the scan's requests by kind on their way to the registry. */
const counts = new Map<string, number>();
const proxy = createServer((req, res) => {
  const path = req.url ?? '/';
  const kind = path.includes('/tags/list')
    ? 'tag list pages (GET)'
    : path.includes('/manifests/')
      ? `manifests (${req.method ?? '?'})`
      : path.includes('/blobs/')
        ? `blobs (${req.method ?? '?'})`
        : `other (${req.method ?? '?'} ${path.slice(0, 20)})`;
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const upstream = new URL(registry.url);
  const forward = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => res.writeHead(502).end());
  req.pipe(forward);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;

function configText(host: string, workdir: string, url: string, images: readonly FleetImage[]): string {
  return [
    'version: 1',
    `git: { url: ${url}, workdir: ${workdir}, author: { name: drawbridge, email: drawbridge@example.test } }`,
    `registries: { '${host}': { insecure: true, maxConcurrency: 8 } }`,
    'images:',
    ...images.map((image, i) => `  ${image.key}: { repository: '${host}/bench/svc-${i}' }`),
    'environments:',
    '  prod:',
    '    branch: main',
    '    policies:',
    ...images.map((image) => `      ${image.key}: { semver: '^1.0.0' }`),
    '',
  ].join('\n');
}

const imagesOf = (host: string): FleetImage[] =>
  Array.from({ length: IMAGES }, (_, i) => ({ key: `svc-${i}`, uri: `${host}/bench/svc-${i}` }));
const remote = await seedRemote(root, 'oci', {
  files: FILES,
  perFile: PER_FILE,
  images: imagesOf(registry.host),
  tag: `1.0.${TAGS - 2}`,
  branches: ['main'],
});
const seed = await branchHead(remote.bare, 'main', env);

const runs: ProcessRun[] = [];
for (let run = 0; run <= RUNS; run += 1) {
  // The last run goes through the counting proxy and is not timed.
  const counted = run === RUNS;
  const host = counted ? proxyHost : registry.host;
  const file = join(root, `oci-${run}.yaml`);
  await writeFile(file, configText(host, join(root, `work-${run}`), remote.url, imagesOf(host)));
  await resetBranch(remote.bare, 'main', seed, env);
  const result = await runScan(cli, preload, file, { env });
  check(result, counted ? 'OCI fleet (counted)' : 'OCI fleet');
  const commits = await commitsSince(remote.bare, 'main', seed, env);
  if (commits !== 1) throw new Error(`expected one commit, got ${commits}`);
  if (!counted) runs.push(result);
}

const show = (values: readonly number[], unit: string, digits = 1): string =>
  `${median(values).toFixed(digits)} ${unit} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
console.log(
  `OCI fleet: ${IMAGES} repositories × ${TAGS} tags in docker-registry, ${FILES} files, ${FILES * PER_FILE} references, one commit`,
);
console.log(`seeded in ${seedSeconds.toFixed(1)} s (${IMAGES * TAGS} manifests pushed)`);
console.log('');
console.log('| measure | median (min–max) | goal |');
console.log('|---|---|---|');
console.log(
  `| whole \`drawbridge scan\` process, fresh workdir | ${show(
    runs.map((r) => r.wallMs / 1000),
    's',
  )} | < 15 s |`,
);
console.log(
  `| peak RSS | ${show(
    runs.map((r) => r.peakRssMb),
    'MB',
    0,
  )} | < 300 MB |`,
);
const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
console.log(
  `| registry requests per scan | ${total}: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')} | tag lists + a few manifests per image |`,
);

proxy.close();
proxy.closeAllConnections();
await registry.close();
await rm(root, { recursive: true, force: true, maxRetries: 5 });
