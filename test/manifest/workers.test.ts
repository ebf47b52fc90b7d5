import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.js';
import { applyPlan, createManifestWorkers, planEdits } from '../../src/manifest/index.js';
import type { DesiredImage, ManifestWorkers } from '../../src/manifest/index.js';
import { memoryStream } from '../helpers/io.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/manifest/', import.meta.url));

/** Every golden case's input under one tree, plus enough plain files for workers to be used. */
async function buildTree(): Promise<{ root: string; desired: Map<string, DesiredImage> }> {
  const root = await mkdtemp(join(tmpdir(), 'drawbridge-workers-'));
  const desired = new Map<string, DesiredImage>();
  const cases = readdirSync(FIXTURES, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const { name } of cases) {
    const spec = JSON.parse(readFileSync(join(FIXTURES, name, 'case.json'), 'utf8')) as {
      images: Record<string, Omit<DesiredImage, 'imageKey'>>;
    };
    await cp(join(FIXTURES, name, 'input'), join(root, name), { recursive: true });
    for (const [imageKey, image] of Object.entries(spec.images)) {
      if (!desired.has(imageKey)) desired.set(imageKey, { imageKey, ...image });
    }
  }
  for (let i = 0; i < 250; i += 1) {
    const marked = i % 4 === 0 ? ` # {"$imagepolicy": "podinfo"}` : '';
    await writeFile(
      join(root, `filler-${i}.yaml`),
      `kind: ConfigMap\ndata:\n  image: ghcr.io/x/podinfo:1.0.0${marked}\n`,
    );
  }
  return { root, desired };
}

async function snapshot(root: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, await snapshot(root, path));
    else if (entry.isFile()) out[path] = (await readFile(join(root, path))).toString('base64');
  }
  return out;
}

describe('manifest worker threads', () => {
  let tree: { root: string; desired: Map<string, DesiredImage> };
  let copy: string;
  let workers: ManifestWorkers;

  beforeAll(async () => {
    tree = await buildTree();
    copy = await mkdtemp(join(tmpdir(), 'drawbridge-workers-copy-'));
    await cp(tree.root, copy, { recursive: true });
    workers = createManifestWorkers({ threads: 2 });
  });
  afterAll(async () => {
    await workers?.close();
    await rm(tree.root, { recursive: true, force: true });
    await rm(copy, { recursive: true, force: true });
  });

  it('plan and apply exactly as the main thread does, on every golden shape', async () => {
    const knownImages = new Set(tree.desired.keys());
    const here = await planEdits({ root: copy, knownImages, desired: tree.desired });
    const there = await planEdits({ root: tree.root, knownImages, desired: tree.desired, workers });
    expect(there.edits.length).toBeGreaterThan(20);
    expect(there.problems.some((p) => p.code === 'unparseable')).toBe(true);
    expect(there).toEqual(here);

    const appliedHere = await applyPlan(copy, here);
    const appliedThere = await applyPlan(tree.root, there, { workers });
    expect(appliedThere).toEqual(appliedHere);
    expect(appliedThere.changedFiles.length).toBeGreaterThanOrEqual(16);
    expect(await snapshot(tree.root)).toEqual(await snapshot(copy));
  });

  it('starts workers on first use and ends them once idle', async () => {
    const pool = createManifestWorkers({ threads: 2, idleMs: 50 });
    try {
      expect(pool.running()).toBe(0);
      const knownImages = new Set(tree.desired.keys());
      await planEdits({ root: copy, knownImages, desired: tree.desired, workers: pool });
      // One may have ended already, idle while the other finished the last batch.
      expect(pool.running()).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(pool.running()).toBe(0);
      const again = await planEdits({ root: copy, knownImages, desired: tree.desired, workers: pool });
      expect(again.markers.length).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it('does the work on the main thread when workers keep failing, and says so once', async () => {
    const lines = memoryStream();
    const failing = createManifestWorkers({
      threads: 2,
      entry: new URL('data:text/javascript,process.exit(3)'),
      logger: createLogger({ destination: lines.stream, pretty: false }),
    });
    try {
      const knownImages = new Set(tree.desired.keys());
      const here = await planEdits({ root: copy, knownImages, desired: tree.desired });
      const there = await planEdits({
        root: tree.root,
        knownImages,
        desired: tree.desired,
        workers: failing,
      });
      expect(there).toEqual(here);
      const warnings = lines
        .text()
        .split('\n')
        .filter((line) => line.includes('keep failing'));
      expect(warnings).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });
});
