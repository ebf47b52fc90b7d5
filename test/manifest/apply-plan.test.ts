import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/errors.js';
import { applyPlan, findMarkers, planEdits } from '../../src/manifest/index.js';
import type { DesiredImage, ManifestWorkers } from '../../src/manifest/index.js';
import type { FileApplyOutcome } from '../../src/manifest/apply-plan.js';

const desired = new Map<string, DesiredImage>([
  ['podinfo', { imageKey: 'podinfo', repository: 'r/podinfo', tag: '6.0.2', digest: '', pinDigest: false }],
]);
const knownImages = new Set(['podinfo']);
const marked = (tag: string): string => `image: r/podinfo:${tag} # {"$imagepolicy": "podinfo"}\n`;

describe('applyPlan', () => {
  let base: string;
  let root: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'drawbridge-apply-'));
    root = join(base, 'repo');
    await mkdir(root);
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('keeps each file’s permission bits and leaves no temporary files', async () => {
    await writeFile(join(root, 'a.yaml'), marked('6.0.1'));
    await writeFile(join(root, 'b.yaml'), marked('6.0.1'));
    await chmod(join(root, 'a.yaml'), 0o640);
    await chmod(join(root, 'b.yaml'), 0o755);
    const result = await applyPlan(root, await planEdits({ root, knownImages, desired }));
    expect(result.changedFiles).toEqual(['a.yaml', 'b.yaml']);
    expect((await stat(join(root, 'a.yaml'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(root, 'b.yaml'))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(root, 'a.yaml'), 'utf8')).toBe(marked('6.0.2'));
    expect(await readdir(root)).toEqual(['a.yaml', 'b.yaml']);
  });

  it('reports a file that changed since planning and still writes the others', async () => {
    await writeFile(join(root, 'a.yaml'), marked('6.0.1'));
    await writeFile(join(root, 'b.yaml'), marked('6.0.1'));
    const plan = await planEdits({ root, knownImages, desired });
    await writeFile(join(root, 'a.yaml'), `# a person edited this\n${marked('6.0.0')}`);
    const result = await applyPlan(root, plan);
    expect(result.changedFiles).toEqual(['b.yaml']);
    expect(result.applied.map((edit) => edit.file)).toEqual(['b.yaml']);
    expect(result.problems).toEqual([expect.objectContaining({ file: 'a.yaml', severity: 'error' })]);
    expect(await readFile(join(root, 'a.yaml'), 'utf8')).toBe(`# a person edited this\n${marked('6.0.0')}`);
  });

  it('never writes outside the repository, whatever the plan says', async () => {
    await writeFile(join(base, 'evil.yaml'), marked('6.0.1'));
    await writeFile(join(root, 'a.yaml'), marked('6.0.1'));
    const plan = await planEdits({ root, knownImages, desired });
    const edit = plan.edits[0]!;
    const result = await applyPlan(root, { ...plan, edits: [{ ...edit, file: '../evil.yaml' }] });
    expect(result.changedFiles).toEqual([]);
    expect(result.problems[0]?.message).toContain('outside the repository');
    expect(await readFile(join(base, 'evil.yaml'), 'utf8')).toBe(marked('6.0.1'));
  });

  it('reports a planned file that has disappeared', async () => {
    await writeFile(join(root, 'a.yaml'), marked('6.0.1'));
    const plan = await planEdits({ root, knownImages, desired });
    await rm(join(root, 'a.yaml'));
    const result = await applyPlan(root, plan);
    expect(result.problems).toEqual([expect.objectContaining({ file: 'a.yaml', severity: 'error' })]);
  });

  it('counts the files it looked at and throws a ManifestError for a missing root', async () => {
    await writeFile(join(root, 'a.yaml'), marked('6.0.1'));
    await writeFile(join(root, 'b.yaml'), 'no: marker\n');
    await writeFile(join(root, 'c.txt'), marked('6.0.1'));
    const found = await findMarkers({ root, knownImages });
    expect(found.filesScanned).toBe(2);
    expect(found.markers).toHaveLength(1);
    await expect(findMarkers({ root: join(base, 'missing'), knownImages })).rejects.toBeInstanceOf(
      ManifestError,
    );
  });

  it('refuses the whole tree when a file could be neither written nor put back', async () => {
    const files = Array.from({ length: 16 }, (_, i) => `f${String(i).padStart(2, '0')}.yaml`);
    for (const file of files) await writeFile(join(root, file), marked('6.0.1'));
    const plan = await planEdits({ root, knownImages, desired });
    // A pool whose disk failed under one file: the others were written.
    const workers: ManifestWorkers = {
      scan: () => Promise.reject(new Error('not used')),
      apply: (_root, items) =>
        Promise.resolve(
          items.map((item): FileApplyOutcome =>
            item.file === 'f07.yaml'
              ? {
                  ok: false,
                  damaged: true,
                  problem: { file: item.file, severity: 'error', message: 'edit not applied: EIO' },
                }
              : { ok: true, file: item.file, edits: item.edits },
          ),
        ),
      running: () => 0,
      close: () => Promise.resolve(),
    };
    const error: unknown = await applyPlan(root, plan, { workers }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).context.file).toBe('f07.yaml');
    expect((error as ManifestError).message).toContain('half-written');
  });
});
