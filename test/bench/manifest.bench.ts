/**
 * Manifest rewriting against the I/O floor. Generates a repository of YAML files (10,000 files,
 * about 40 MB, 2,000 markers; BENCH_QUICK=1 for a small one), then times in each repetition:
 * reading every file (the floor, read before and after the work and averaged, since the load
 * of a shared machine drifts), finding markers, planning edits and applying them.
 * Run: node --import tsx test/bench/manifest.bench.ts
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listManifestFiles } from '../../src/manifest/list-files.js';
import { mapBounded } from '../../src/map-bounded.js';
import { applyPlan, findMarkers, planEdits } from '../../src/manifest/index.js';
import type { DesiredImage } from '../../src/manifest/index.js';

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
    const samples = {
      floor: [] as number[],
      find: [] as number[],
      plan: [] as number[],
      apply: [] as number[],
    };
    let edits = 0;
    const ratios: number[] = [];
    // The floor: list the tree and read every byte, with the same parallelism as the scanner.
    const readAll = (): Promise<{ ms: number }> =>
      timed(async () => {
        const { files } = await listManifestFiles(root, []);
        await mapBounded(files, 16, (entry) => readFile(entry.absolute));
      });
    for (let repetition = 0; repetition < REPETITIONS + 1; repetition += 1) {
      const floorBefore = await readAll();
      const find = await timed(() => findMarkers({ root, knownImages }));
      const tag = repetition % 2 === 0 ? '2.0.0' : '1.0.0';
      const plan = await timed(() => planEdits({ root, knownImages, desired: desiredFor(tag) }));
      const apply = await timed(() => applyPlan(root, plan.value));
      // Read again after: the machine's load drifts, and the two readings bracket the work.
      const floorAfter = await readAll();
      const floor = { ms: (floorBefore.ms + floorAfter.ms) / 2 };
      if (apply.value.problems.length > 0 || plan.value.markers.length !== markers) {
        throw new Error(
          `unexpected: ${plan.value.markers.length} markers, ${apply.value.problems.length} problems`,
        );
      }
      edits = apply.value.applied.length;
      if (repetition === 0) continue; // warm-up: JIT and page cache
      samples.floor.push(floor.ms);
      samples.find.push(find.ms);
      samples.plan.push(plan.ms);
      samples.apply.push(apply.ms);
      ratios.push((plan.ms + apply.ms) / floor.ms);
    }
    const floor = median(samples.floor);
    const planApply = median(samples.plan.map((ms, i) => ms + samples.apply[i]!));
    const row = (name: string, ms: number): string =>
      `| ${name} | ${ms.toFixed(0)} | ${(ms / floor).toFixed(2)}× |`;
    console.log(
      `\n### manifest: ${FILES} files, ${(bytes / 1e6).toFixed(1)} MB, ${markers} markers, ${edits} edits per run (name markers keep their value)`,
    );
    console.log(`(median of ${REPETITIONS} runs after a warm-up; Node ${process.version})\n`);
    console.log('| step | median ms | vs floor |');
    console.log('|---|---:|---:|');
    console.log(row('read every file (floor)', floor));
    console.log(row('findMarkers', median(samples.find)));
    console.log(row('planEdits', median(samples.plan)));
    console.log(row('applyPlan', median(samples.apply)));
    console.log(row('plan + apply', planApply));
    const ratio = median(ratios);
    console.log(
      `\nplan + apply against the floor read around it, median of the runs: ${ratio.toFixed(2)}× ` +
        `(runs: ${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    );
    console.log(`goal: plan + apply within 3× of the floor — ${ratio <= 3 ? 'met' : 'not met'}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
