/**
 * The Git layer against a local bare remote holding a 10,000-file repository (200 images in 3
 * environment branches): a no-change pass (fetch + reset the 3 worktrees) and
 * an update of 50 images (fetch, reset, edit, commit, push), next to a plain `git fetch` +
 * `git commit` + `git push` of the same change in the same run.
 * `node --import tsx test/bench/git.bench.ts`; BENCH_QUICK=1 for a 1,000-file smoke run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openWorkspace } from '../../src/git/workspace.js';
import { silentLogger } from '../../src/log/logger.js';
import { isolatedGitEnv } from '../helpers/git.js';

const QUICK = process.env.BENCH_QUICK === '1';
const FILES = QUICK ? 1_000 : 10_000;
const IMAGES = QUICK ? 20 : 200;
const UPDATES = QUICK ? 5 : 50;
const RUNS = QUICK ? 2 : 5;
const BRANCHES = ['dev', 'staging', 'main'];
const env = isolatedGitEnv();

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

function manifest(image: number, tag: string): string {
  return `spec:\n  containers:\n    - image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app-${image}:${tag} # {"$imagepolicy": "app-${image}"}\n`;
}

function seed(root: string): string {
  const bare = join(root, 'remote.git');
  const work = join(root, 'seed');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  for (let i = 0; i < IMAGES; i++) {
    mkdirSync(join(work, 'apps', `app-${i}`), { recursive: true });
    writeFileSync(join(work, 'apps', `app-${i}`, 'deployment.yaml'), manifest(i, '1.0.0'));
  }
  for (let i = 0; i < FILES - IMAGES; i++) {
    const folder = join(work, 'filler', String(i % 100));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `config-${i}.yaml`), `key: value-${i}\n`);
  }
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'seed');
  for (const branch of BRANCHES) git(work, 'push', '--quiet', bare, `HEAD:refs/heads/${branch}`);
  rmSync(work, { recursive: true, force: true });
  return bare;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function time(task: () => Promise<void> | void): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

const root = mkdtempSync(join(tmpdir(), 'drawbridge-bench-git-'));
try {
  const bare = seed(root);
  const url = pathToFileURL(bare).href;
  const options = {
    url,
    workdir: join(root, 'workdir'),
    author: { name: 'drawbridge', email: 'bench@drawbridge.test' },
    env,
    logger: silentLogger(),
  };
  const firstOpen = await time(async () => (await openWorkspace(options)).close());
  const plain = join(root, 'plain');
  git(root, 'clone', '--quiet', '--branch', 'staging', url, plain);

  const noChange: number[] = [];
  const update: number[] = [];
  const baseline: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const workspace = await openWorkspace(options);
    noChange.push(
      await time(async () => {
        await workspace.fetch();
        // A pass that plans no edit resets each worktree and never calls commit.
        for (const branch of BRANCHES) await workspace.checkout(branch, branch);
      }),
    );
    update.push(
      await time(async () => {
        await workspace.fetch();
        const checkout = await workspace.checkout('dev', 'dev');
        for (let i = 0; i < UPDATES; i++) {
          writeFileSync(join(checkout.dir, 'apps', `app-${i}`, 'deployment.yaml'), manifest(i, `2.${run}.0`));
        }
        await workspace.commit(checkout, `deploy(dev): ${UPDATES} images`);
        if ((await workspace.push(checkout, { branch: 'dev', expected: checkout.head })) !== 'pushed') {
          throw new Error('push rejected');
        }
      }),
    );
    await workspace.close();
    baseline.push(
      await time(() => {
        git(plain, 'fetch', '--quiet', 'origin');
        for (let i = 0; i < UPDATES; i++) {
          writeFileSync(join(plain, 'apps', `app-${i}`, 'deployment.yaml'), manifest(i, `3.${run}.0`));
        }
        git(plain, 'commit', '--quiet', '-am', `deploy(staging): ${UPDATES} images`);
        git(plain, 'push', '--quiet', 'origin', 'HEAD:refs/heads/staging');
      }),
    );
  }

  const fmt = (ms: number): string => `${ms.toFixed(0)} ms`;
  const base = median(baseline);
  console.log(`${FILES} files, ${IMAGES} images, ${BRANCHES.length} branches, ${RUNS} runs (medians)\n`);
  console.log('| operation | median | vs plain git |');
  console.log('|---|---:|---:|');
  console.log(`| first open (clone) | ${fmt(firstOpen)} | |`);
  console.log(
    `| no-change pass: fetch + reset ${BRANCHES.length} worktrees | ${fmt(median(noChange))} | ${(median(noChange) / base).toFixed(2)}× |`,
  );
  console.log(
    `| update ${UPDATES} images: fetch + reset + commit + push | ${fmt(median(update))} | ${(median(update) / base).toFixed(2)}× |`,
  );
  console.log(`| plain git fetch + commit -a + push of the same change | ${fmt(base)} | 1.00× |`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
