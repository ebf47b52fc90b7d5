/**
 * Manifest rewriting against the I/O floor. Generates a repository of YAML files (10,000 files,
 * about 40 MB, 2,000 markers; BENCH_QUICK=1 for a small one), then times in each repetition:
 * reading every file (the floor, read before and after the work and averaged, since the load
 * of a shared machine drifts) in two ways — fs/promises 16 at once, and blocking reads, which
 * is what drawbridge's worker threads do and is much cheaper per small file on some machines —
 * then finding markers, planning edits and applying them as drawbridge runs (worker threads),
 * and planning and applying on the main thread alone for comparison.
 * Run: node --import tsx test/bench/manifest.bench.ts
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listManifestFiles } from '../../src/manifest/list-files.js';
import { mapBounded } from '../../src/map-bounded.js';
import {
  applyPlan,
  createManifestWorkers,
  defaultThreadCount,
  findMarkers,
  planEdits,
} from '../../src/manifest/index.js';
import type { ApplyOutcome, DesiredImage, ManifestPlan } from '../../src/manifest/index.js';

const QUICK = process.env.BENCH_QUICK === '1';
const FILES = QUICK ? 500 : 10_000;
const REPETITIONS = QUICK ? 2 : 7;
const IMAGES = 20;
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

/** One in ten files is a marked Deployment, one in twenty a kustomization, one in forty Helm values (two markers). */
type Shape = 'deployment' | 'kustomization' | 'values' | 'configmap';
function shapeOf(index: number): Shape {
  if (index % 10 === 0) return 'deployment';
  if (index % 20 === 5) return 'kustomization';
  if (index % 40 === 7) return 'values';
  return 'configmap';
}

function repeatLines(count: number, line: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => line(i)).join('');
}

function deployment(index: number, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${index}
  labels: { app.kubernetes.io/name: app-${index}, team: platform }
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: app-${index}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-${index}
    spec:
      containers:
        - name: app
          image: ${REGISTRY}/${image}:1.0.0 # {"$imagepolicy": "flux-system:${image}"}
          ports:
            - { containerPort: 8080, name: http }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 256Mi }
          readinessProbe:
            httpGet: { path: /readyz, port: http }
          env:
${repeatLines(40, (i) => `            - name: SETTING_${i}\n              value: "value of setting ${i} for app ${index}"\n`)}`;
}

function kustomization(image: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
images:
  - name: ${image}
    newName: ${REGISTRY}/${image}
    newTag: 1.0.0 # {"$imagepolicy": "${image}:tag"}
`;
}

function values(image: string): string {
  return `replicaCount: 2
image:
  repository: ${REGISTRY}/${image} # {"$imagepolicy": "${image}:name"}
  tag: "1.0.0" # {"$imagepolicy": "${image}:tag"}
  pullPolicy: IfNotPresent
${repeatLines(30, (i) => `option${i}:\n  enabled: true\n  note: 'option ${i} of the chart'\n`)}`;
}

function configmap(index: number, size: number): string {
  const head = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${index}\ndata:\n`;
  const lines: string[] = [head];
  let length = head.length;
  for (let i = 0; length < size; i += 1) {
    const line = `  key_${i}: "some configuration value number ${i} for map ${index}"\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('');
}

async function generate(root: string): Promise<{ bytes: number; markers: number }> {
  let bytes = 0;
  let markers = 0;
  await mapBounded(
    Array.from({ length: FILES }, (_, i) => i),
    32,
    async (index) => {
      const dir = join(root, `team-${index % 25}`, `app-${Math.floor(index / 25) % 100}`);
      await mkdir(dir, { recursive: true });
      const image = `image-${index % IMAGES}`;
      const shape = shapeOf(index);
      const text =
        shape === 'deployment'
          ? deployment(index, image)
          : shape === 'kustomization'
            ? kustomization(image)
            : shape === 'values'
              ? values(image)
              : configmap(index, 4_600);
      markers += shape === 'configmap' ? 0 : shape === 'values' ? 2 : 1;
      bytes += Buffer.byteLength(text);
      await writeFile(join(dir, `${shape}-${index}.yaml`), text);
    },
  );
  return { bytes, markers };
}

function desiredFor(tag: string): Map<string, DesiredImage> {
  const entries = Array.from({ length: IMAGES }, (_, i): [string, DesiredImage] => {
    const imageKey = `image-${i}`;
    return [imageKey, { imageKey, repository: `${REGISTRY}/${imageKey}`, tag, digest: '', pinDigest: false }];
  });
  return new Map(entries);
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'drawbridge-manifest-bench-'));
  try {
    const { bytes, markers } = await generate(root);
    const knownImages = new Set(desiredFor('x').keys());
    // As drawbridge runs: files read and parsed on worker threads.
    const workers = createManifestWorkers({
      threads: Number(process.env['BENCH_THREADS'] ?? '') || undefined,
    });
    const samples = {
      floorAsync: [] as number[],
      floorSync: [] as number[],
      find: [] as number[],
      plan: [] as number[],
      apply: [] as number[],
      oneThread: [] as number[],
    };
    let edits = 0;
    const ratiosAsync: number[] = [];
    const ratiosSync: number[] = [];
    // Two floors: list the tree and read every byte with fs/promises, 16 at once (plain Node
    // code), and with blocking reads one after another (what the worker threads do).
    const readAllAsync = (): Promise<{ ms: number }> =>
      timed(async () => {
        const { files } = await listManifestFiles(root, []);
        await mapBounded(files, 16, (entry) => readFile(entry.absolute));
      });
    const readAllSync = (): Promise<{ ms: number }> =>
      timed(async () => {
        const { files } = await listManifestFiles(root, []);
        for (const entry of files) readFileSync(entry.absolute);
      });
    const check = (plan: ManifestPlan, outcome: ApplyOutcome): void => {
      if (outcome.problems.length > 0 || plan.markers.length !== markers) {
        throw new Error(`unexpected: ${plan.markers.length} markers, ${outcome.problems.length} problems`);
      }
    };
    for (let repetition = 0; repetition < REPETITIONS + 1; repetition += 1) {
      const asyncBefore = await readAllAsync();
      const syncBefore = await readAllSync();
      const find = await timed(() => findMarkers({ root, knownImages, workers }));
      // A new tag every run, so no run can reuse anything of the one before.
      const plan = await timed(() =>
        planEdits({ root, knownImages, workers, desired: desiredFor(`2.${repetition}.0`) }),
      );
      const apply = await timed(() => applyPlan(root, plan.value, { workers }));
      check(plan.value, apply.value);
      // The same on the main thread alone, for comparison.
      const oneThread = await timed(async () => {
        const planned = await planEdits({ root, knownImages, desired: desiredFor(`3.${repetition}.0`) });
        check(planned, await applyPlan(root, planned));
      });
      // Read again after: the machine's load drifts, and the two readings bracket the work.
      const floorAsync = (asyncBefore.ms + (await readAllAsync()).ms) / 2;
      const floorSync = (syncBefore.ms + (await readAllSync()).ms) / 2;
      edits = apply.value.applied.length;
      if (repetition === 0) continue; // warm-up: JIT, page cache, worker start
      samples.floorAsync.push(floorAsync);
      samples.floorSync.push(floorSync);
      samples.find.push(find.ms);
      samples.plan.push(plan.ms);
      samples.apply.push(apply.ms);
      samples.oneThread.push(oneThread.ms);
      ratiosAsync.push((plan.ms + apply.ms) / floorAsync);
      ratiosSync.push((plan.ms + apply.ms) / floorSync);
    }
    await workers.close();
    const floorAsync = median(samples.floorAsync);
    const floorSync = median(samples.floorSync);
    const planApply = median(samples.plan.map((ms, i) => ms + samples.apply[i]!));
    const row = (name: string, ms: number): string =>
      `| ${name} | ${ms.toFixed(0)} | ${(ms / floorAsync).toFixed(2)}× | ${(ms / floorSync).toFixed(2)}× |`;
    console.log(
      `\n### manifest: ${FILES} files, ${(bytes / 1e6).toFixed(1)} MB, ${markers} markers, ${edits} edits per run (name markers keep their value)`,
    );
    console.log(
      `(median of ${REPETITIONS} runs after a warm-up; Node ${process.version}; ${defaultThreadCount()} worker threads)\n`,
    );
    console.log('| step | median ms | × fs/promises read | × blocking read |');
    console.log('|---|---:|---:|---:|');
    console.log(row('read every file, fs/promises, 16 at once (floor)', floorAsync));
    console.log(row('read every file, blocking reads (floor)', floorSync));
    console.log(row('findMarkers', median(samples.find)));
    console.log(row('planEdits', median(samples.plan)));
    console.log(row('applyPlan', median(samples.apply)));
    console.log(row('plan + apply', planApply));
    console.log(row('plan + apply on the main thread only', median(samples.oneThread)));
    const ratioAsync = median(ratiosAsync);
    const ratioSync = median(ratiosSync);
    const verdict = (ratio: number): string => (ratio <= 3 ? 'met' : 'not met');
    console.log(
      `\nplan + apply against the floors read around it, medians of the runs: ` +
        `${ratioAsync.toFixed(2)}× the fs/promises floor (runs: ${ratiosAsync.map((r) => r.toFixed(2)).join(', ')}), ` +
        `${ratioSync.toFixed(2)}× the blocking-read floor (runs: ${ratiosSync.map((r) => r.toFixed(2)).join(', ')})`,
    );
    console.log(
      `goal: plan + apply within 3× of the floor — ${verdict(ratioAsync)} against fs/promises reads, ` +
        `${verdict(ratioSync)} against blocking reads`,
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
