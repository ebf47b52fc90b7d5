/**
 * What the process benchmarks share: the built CLI, one `drawbridge scan` in a fresh process
 * with its peak RSS (read by a preload on exit), medians, and the bench's own branch resets.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ProcessRun {
  readonly code: number | null;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ScanOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Each scan process logs at debug level into a file there. */
  readonly traceDir?: string | undefined;
  /** Each scan process writes a V8 CPU profile there. */
  readonly profDir?: string | undefined;
}

/** Scan processes per measurement: BENCH_RUNS, else 3 (1 with BENCH_QUICK). */
export function processRuns(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env['BENCH_RUNS'] ?? (env['BENCH_QUICK'] === '1' ? 1 : 3));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Builds dist/ with tsc; answers the CLI's entry point. */
export function build(): string {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'src', 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  return join(repoRoot, 'dist', 'cli', 'main.js');
}

/** The preload that writes the process's peak RSS (KiB) to $BENCH_RSS_FILE on exit. */
export async function writeRssPreload(root: string): Promise<string> {
  const preload = join(root, 'rss.mjs');
  await writeFile(
    preload,
    "import { writeFileSync } from 'node:fs';\n" +
      "process.on('exit', () => writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  return preload;
}

/** One `drawbridge scan` in its own process; its peak RSS from the preload. */
export async function runScan(
  cli: string,
  preload: string,
  configFile: string,
  options: ScanOptions,
): Promise<ProcessRun> {
  const rssFile = `${configFile}.rss`;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--no-warnings',
      ...(options.profDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profDir}`]),
      '--import',
      preload,
      cli,
      'scan',
      '--config',
      configFile,
    ],
    {
      env: {
        ...options.env,
        BENCH_RSS_FILE: rssFile,
        ...(options.traceDir === undefined ? {} : { DRAWBRIDGE_LOG_LEVEL: 'debug' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  if (options.traceDir !== undefined)
    await writeFile(join(options.traceDir, `${basename(configFile)}.${Date.now()}.log`), stderr);
  const peakRssMb = Number(await readFile(rssFile, 'utf8')) / 1024;
  return { code, wallMs, peakRssMb, stdout, stderr };
}

export async function branchHead(bare: string, branch: string, env: NodeJS.ProcessEnv): Promise<string> {
  return (await exec('git', ['rev-parse', `refs/heads/${branch}`], { cwd: bare, env })).stdout.trim();
}

/** The bench's doing, not drawbridge's: a branch set back to its seed commit between runs. */
export async function resetBranch(
  bare: string,
  branch: string,
  commit: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await exec('git', ['update-ref', `refs/heads/${branch}`, commit], { cwd: bare, env });
}

export async function commitsSince(
  bare: string,
  branch: string,
  commit: string,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { stdout } = await exec('git', ['rev-list', '--count', `${commit}..refs/heads/${branch}`], {
    cwd: bare,
    env,
  });
  return Number(stdout.trim());
}

export function check(run: ProcessRun, what: string): void {
  if (run.code !== 0)
    throw new Error(
      `${what}: drawbridge scan exited ${run.code}\n${run.stdout.slice(-2000)}\n${run.stderr.slice(-2000)}`,
    );
}
