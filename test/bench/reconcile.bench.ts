/**
 * Whole reconciliations against a local bare remote: a 10,000-file repository, 200 images in
 * 3 environments. Reports a no-change reconciliation (goal < 1 s) and one that updates 50
 * images in every environment (goal < 3 s), medians of several runs, next to a plain
 * `git fetch` + edit + `git commit` + `git push` of the same change in the same run.
 * `node --import tsx test/bench/reconcile.bench.ts`; BENCH_QUICK=1 for a small smoke run.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { startEmulator } from '../../src/testing/emulator/index.js';
import { isolatedGitEnv } from '../helpers/git.js';

const exec = promisify(execFile);
const QUICK = process.env.BENCH_QUICK === '1';
const FILES = QUICK ? 500 : 10_000;
const IMAGES = QUICK ? 20 : 200;
const UPDATED = QUICK ? 5 : 50;
const RUNS = QUICK ? 2 : 5;
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const env = isolatedGitEnv();
const git = async (cwd: string, args: string[]): Promise<string> =>
  (await exec('git', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 })).stdout;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

const root = await mkdtemp(join(tmpdir(), 'drawbridge-bench-reconcile-'));
const emulator = await startEmulator();
const ecr = emulator.ecr;
const uris: string[] = [];
const day = new Date(Date.now() - 86_400_000);
for (let i = 0; i < IMAGES; i += 1) {
  uris.push(ecr.createRepository(`svc-${i}`));
  ecr.pushImage({ repository: `svc-${i}`, tags: ['1.0.0'], pushedAt: day });
}

// The fleet: FILES files, IMAGES of them carry a marker; the same tree on every branch.
const seed = join(root, 'seed');
const bare = join(root, 'fleet.git');
await mkdir(seed, { recursive: true });
await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
await git(seed, ['init', '--quiet', '--initial-branch=dev']);
for (let i = 0; i < FILES; i += 1) {
  const file = join(seed, `apps/team-${i % 50}/svc-${i}/deployment.yaml`);
  await mkdir(dirname(file), { recursive: true });
  const image = i < IMAGES ? `${uris[i]}:1.0.0 # {"$imagepolicy": "svc-${i}"}` : `nginx:1.27`;
  await writeFile(
    file,
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-${i}\n  labels: { team: team-${i % 50} }\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: main\n          image: ${image}\n          resources: { requests: { cpu: 100m, memory: 128Mi } }\n`,
  );
}
await git(seed, ['add', '.']);
await git(seed, ['commit', '--quiet', '-m', 'fleet']);
for (const branch of ENVIRONMENTS) await git(seed, ['push', '--quiet', bare, `dev:${branch}`]);

const policies = uris.map((_, i) => `      svc-${i}: { semver: '^1.0.0' }`).join('\n');
const configText = `version: 1
git: { url: ${pathToFileURL(bare).href}, workdir: ${join(root, 'work')} }
aws: { region: eu-west-1, endpoint: ${emulator.endpoint} }
images:
${uris.map((uri, i) => `  svc-${i}: { repository: ${uri} }`).join('\n')}
environments:
${ENVIRONMENTS.map((name) => `  ${name}:\n    branch: ${name}\n    policies:\n${policies}`).join('\n')}
`;
const config = parseConfig(configText, join(root, 'drawbridge.yaml')).config;
const runtime = await createRuntime({
  config,
  logger: createLogger({ level: 'silent' }),
  env,
  baseDir: root,
  credentials: async () => ({ accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }),
});

const reconcile = () => runtime.reconciler.reconcile({ trigger: 'manual' });
await reconcile(); // clone + warm caches

const noChange: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  runtime.source.invalidate();
  noChange.push(await timed(reconcile));
}

const update: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  for (let i = 0; i < UPDATED; i += 1) {
    ecr.pushImage({ repository: `svc-${i}`, tags: [`1.0.${run + 1}`], pushedAt: day });
  }
  runtime.source.invalidate();
  let commits = 0;
  update.push(
    await timed(async () => {
      const result = await reconcile();
      commits = result.environments.filter((e) => e.status === 'committed').length;
    }),
  );
  if (commits !== ENVIRONMENTS.length)
    throw new Error(`expected ${ENVIRONMENTS.length} commits, got ${commits}`);
}

// Baseline: the same change by hand in a persistent clone: fetch, edit 50 files, commit, push.
const clone = join(root, 'plain');
await git(root, ['clone', '--quiet', '--branch', 'dev', bare, clone]);
const plain: number[] = [];
for (let run = 0; run < RUNS; run += 1) {
  plain.push(
    await timed(async () => {
      await git(clone, ['fetch', '--quiet', 'origin']);
      await git(clone, ['reset', '--quiet', '--hard', 'origin/dev']);
      for (let i = 0; i < UPDATED; i += 1) {
        const file = join(clone, `apps/team-${i % 50}/svc-${i}/deployment.yaml`);
        await writeFile(file, `# plain ${run}\n`, { flag: 'a' });
      }
      await git(clone, ['commit', '--quiet', '-am', `plain ${run}`]);
      await git(clone, ['push', '--quiet', 'origin', 'HEAD:dev']);
    }),
  );
}

await runtime.close();
await emulator.close();
await rm(root, { recursive: true, force: true });

const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const base = median(plain);
console.log(
  `${FILES} files, ${IMAGES} images × ${ENVIRONMENTS.length} environments; medians of ${RUNS} runs\n`,
);
console.log('| reconciliation | median | × plain fetch+commit+push (one branch) | goal |');
console.log('|---|---:|---:|---|');
console.log(`| no change | ${fmt(median(noChange))} | ${(median(noChange) / base).toFixed(1)}× | < 1 s |`);
console.log(
  `| ${UPDATED} images updated in each of 3 environments (3 commits) | ${fmt(median(update))} | ${(median(update) / base).toFixed(1)}× | < 3 s |`,
);
console.log(`| plain git fetch + edit ${UPDATED} files + commit + push | ${fmt(base)} | 1.0× | |`);
