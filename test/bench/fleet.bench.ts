/**
 * Fleets at the size users run, through the whole `drawbridge scan` process (the built
 * `dist/`, as users run it), each run in a fresh process whose peak RSS is reported by a
 * preload that reads `process.resourceUsage().maxRSS` on exit:
 *
 * (a) one repository: 200 ECR repositories × 100 tags, 1,000 files, 7,000 references, all
 *     updated in one commit (goal < 10 s, < 300 MB); a fresh workdir each run, as a CI job
 *     has, so the clone is part of it.
 * (b) 20 repositories: 1,000 images × 100 tags, 20,000 files, 70,000 references, all updated,
 *     20 commits (goal < 20 s, < 500 MB); fresh workdirs each run.
 * (c) the same fleet with nothing to change (goal < 2 s): the process against the workdirs
 *     (b) left, and a warm runtime (a daemon's pass) in this process.
 *
 * Between runs the remotes' branches are set back to their seed commits with `update-ref`
 * (the bench's doing, not drawbridge's). `node --import tsx test/bench/fleet.bench.ts`;
 * BENCH_QUICK=1 for a small smoke run, BENCH_RUNS=n for n process runs of each.
 */
import { fork } from 'node:child_process';
import { rm, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { seedRemote, type FleetImage, type SeededRemote } from '../helpers/big-fleet.js';
import type { FleetEmulatorRequest } from './fleet-emulator.js';
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
import { isolatedGitEnv } from '../helpers/git.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = processRuns();
/** BENCH_TRACE_DIR: each scan process logs at debug level into a file there. */
const TRACE_DIR = process.env.BENCH_TRACE_DIR;
/** BENCH_PROF_DIR: each scan process writes a V8 CPU profile there. */
const PROF_DIR = process.env.BENCH_PROF_DIR;
const TAGS = QUICK ? 10 : 100;
const ONE = { images: QUICK ? 20 : 200, files: QUICK ? 100 : 1_000, perFile: 7 };
const MANY = {
  repositories: QUICK ? 4 : 20,
  imagesPerRepository: QUICK ? 5 : 50,
  files: QUICK ? 100 : 1_000,
};
const env = isolatedGitEnv({ AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench' });

function configText(options: {
  readonly workdir: string;
  readonly endpoint: string;
  readonly images: readonly FleetImage[];
  readonly repositories: readonly {
    readonly name: string;
    readonly url: string;
    readonly images: readonly FleetImage[];
  }[];
}): string {
  // The first repository is the default one (`git:`), the others go under `repositories:`.
  const [first, ...others] = options.repositories;
  if (first === undefined) throw new Error('configText needs a repository');
  const lines = [
    'version: 1',
    `git: { url: ${first.url}, workdir: ${options.workdir}, author: { name: drawbridge, email: drawbridge@example.test } }`,
    `aws: { region: eu-west-1, endpoint: ${options.endpoint} }`,
    ...(others.length > 0 ? ['repositories:', ...others.map((r) => `  ${r.name}: { url: ${r.url} }`)] : []),
    'images:',
    ...options.images.map((image) => `  ${image.key}: { repository: ${image.uri} }`),
    'environments:',
  ];
  for (const r of options.repositories) {
    lines.push(`  ${r.name}:`);
    if (r !== first) lines.push(`    repository: ${r.name}`);
    lines.push('    branch: main', '    policies:');
    for (const image of r.images) lines.push(`      ${image.key}: { semver: '^1.0.0' }`);
  }
  return `${lines.join('\n')}\n`;
}

const cli = build();
// BENCH_DIR=/dev/shm puts remotes and workdirs on tmpfs (see the README on this VM's disk).
const root = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'drawbridge-bench-fleet-'));
const preload = await writeRssPreload(root);
const scanProcess = (cliPath: string, preloadPath: string, configFile: string): Promise<ProcessRun> =>
  runScan(cliPath, preloadPath, configFile, { env, traceDir: TRACE_DIR, profDir: PROF_DIR });
const emulatorProcess = fork(fileURLToPath(new URL('./fleet-emulator.ts', import.meta.url)), [], {
  execArgv: ['--import', 'tsx', '--no-warnings'],
});
const ask = <T>(request?: FleetEmulatorRequest): Promise<T> =>
  new Promise((resolve) => {
    emulatorProcess.once('message', (answer) => resolve(answer as T));
    if (request !== undefined) emulatorProcess.send(request);
  });
const emulator = await ask<{ endpoint: string }>();
const seedImages = async (count: number, tags: number, prefix: string): Promise<FleetImage[]> =>
  (await ask<{ images: FleetImage[] }>({ seed: { count, tags, prefix } })).images;
const previous = `1.0.${TAGS - 2}`;

// (a) one repository, 200 images, 1,000 files × 7 references.
const oneImages = await seedImages(ONE.images, TAGS, 'one/svc-');
const one = await seedRemote(root, 'one', { ...ONE, images: oneImages, tag: previous, branches: ['main'] });
const oneSeed = await branchHead(one.bare, 'main', env);
const oneRuns: ProcessRun[] = [];
for (let run = 0; run < RUNS; run += 1) {
  const file = join(root, `one-${run}.yaml`);
  await writeFile(
    file,
    configText({
      workdir: join(root, `one-work-${run}`),
      endpoint: emulator.endpoint,
      images: oneImages,
      repositories: [{ name: 'fleet', url: one.url, images: oneImages }],
    }),
  );
  await resetBranch(one.bare, 'main', oneSeed, env);
  const result = await scanProcess(cli, preload, file);
  check(result, 'one repository');
  const commits = await commitsSince(one.bare, 'main', oneSeed, env);
  if (commits !== 1) throw new Error(`one repository: expected 1 commit, got ${commits}`);
  oneRuns.push(result);
}

// (b) and (c): 20 repositories, each with its own 50 images, 1,000 files × 3 or 4 references.
const manyImages = await seedImages(MANY.repositories * MANY.imagesPerRepository, TAGS, 'many/svc-');
const remotes: {
  name: string;
  remote: SeededRemote;
  seed: string;
  images: FleetImage[];
  references: number;
}[] = [];
for (let r = 0; r < MANY.repositories; r += 1) {
  const images = manyImages.slice(r * MANY.imagesPerRepository, (r + 1) * MANY.imagesPerRepository);
  const perFile = r % 2 === 0 ? 3 : 4;
  const remote = await seedRemote(root, `team-${r}`, {
    files: MANY.files,
    perFile,
    images,
    tag: previous,
    branches: ['main'],
  });
  remotes.push({
    name: `team-${r}`,
    remote,
    seed: await branchHead(remote.bare, 'main', env),
    images,
    references: perFile * MANY.files,
  });
}
const references = remotes.reduce((sum, r) => sum + r.references, 0);
const manyConfig = (workdir: string): string =>
  configText({
    workdir,
    endpoint: emulator.endpoint,
    images: manyImages,
    repositories: remotes.map((r) => ({ name: r.name, url: r.remote.url, images: r.images })),
  });

const manyRuns: ProcessRun[] = [];
const quietRuns: ProcessRun[] = [];
const againRuns: ProcessRun[] = [];
let lastFile = '';
for (let run = 0; run < RUNS; run += 1) {
  lastFile = join(root, `many-${run}.yaml`);
  await writeFile(lastFile, manyConfig(join(root, `many-work-${run}`)));
  for (const r of remotes) await resetBranch(r.remote.bare, 'main', r.seed, env);
  const result = await scanProcess(cli, preload, lastFile);
  check(result, 'many repositories');
  for (const r of remotes) {
    const commits = await commitsSince(r.remote.bare, 'main', r.seed, env);
    if (commits !== 1) throw new Error(`${r.name}: expected 1 commit, got ${commits}`);
  }
  manyRuns.push(result);
  const quiet = await scanProcess(cli, preload, lastFile);
  check(quiet, 'many repositories, no change');
  if (!quiet.stdout.includes('up to date'))
    throw new Error(`expected no change:\n${quiet.stdout.slice(0, 2000)}`);
  quietRuns.push(quiet);
  // Again: this process starts from the plans the previous one kept beside each clone.
  const again = await scanProcess(cli, preload, lastFile);
  check(again, 'many repositories, no change, again');
  againRuns.push(again);
}

// (c) in a warm runtime, as the daemon runs it: the same workdir, passes after the first.
const configFile = join(root, 'many-warm.yaml');
const runtime = await createRuntime({
  config: parseConfig(manyConfig(join(root, `many-work-${RUNS - 1}`)), configFile).config,
  logger: createLogger({ level: 'silent' }),
  env,
  baseDir: root,
  credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }),
});
await runtime.reconciler.reconcile({ trigger: 'manual' });
const warm: number[] = [];
for (let run = 0; run < Math.max(RUNS, 5); run += 1) {
  runtime.source.invalidate();
  const started = performance.now();
  const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
  warm.push(performance.now() - started);
  if (result.environments.some((e) => e.status !== 'unchanged')) {
    throw new Error(
      `warm pass changed something: ${JSON.stringify(result.environments.map((e) => e.status))}`,
    );
  }
}
await runtime.close();
emulatorProcess.send('close');
await new Promise((resolve) => emulatorProcess.once('exit', resolve));
await rm(root, { recursive: true, force: true });

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (value: number): string => `${value.toFixed(0)} MB`;
const range = (values: readonly number[], show: (v: number) => string): string =>
  `${show(median(values))} (${show(Math.min(...values))}–${show(Math.max(...values))})`;
console.log(`medians of ${RUNS} process runs (min–max); ${TAGS} tags per image\n`);
console.log('| fleet | wall | peak RSS | goal |');
console.log('|---|---:|---:|---|');
const processRow = (what: string, runs: readonly ProcessRun[], goal: string): string =>
  `| ${what} | ${range(
    runs.map((r) => r.wallMs),
    s,
  )} | ${range(
    runs.map((r) => r.peakRssMb),
    mb,
  )} | ${goal} |`;
console.log(
  processRow(
    `(a) 1 repository, ${ONE.images} images, ${ONE.files} files, ${ONE.files * ONE.perFile} references, 1 commit, fresh workdir`,
    oneRuns,
    '< 10 s, < 300 MB',
  ),
);
console.log(
  processRow(
    `(b) ${MANY.repositories} repositories, ${manyImages.length} images, ${MANY.repositories * MANY.files} files, ${references} references, ${MANY.repositories} commits, fresh workdirs`,
    manyRuns,
    '< 20 s, < 500 MB',
  ),
);
console.log(
  processRow(
    '(c) the same, no change, `drawbridge scan` process on the workdirs (b) left',
    quietRuns,
    '< 2 s',
  ),
);
console.log(
  processRow(
    '(c) the same, no change, the next `drawbridge scan` process (plans kept on disk)',
    againRuns,
    '< 2 s',
  ),
);
console.log(`| (c) the same, no change, a warm runtime's pass (the daemon) | ${range(warm, s)} | | < 2 s |`);
