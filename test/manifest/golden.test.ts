import { cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPlan, planEdits } from '../../src/manifest/index.js';
import type { DesiredImage, Edit, FileProblem, PlannedEdit } from '../../src/manifest/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/manifest/', import.meta.url));

interface GoldenCase {
  readonly description: string;
  readonly images: Record<string, Omit<DesiredImage, 'imageKey'>>;
  readonly knownImages?: string[];
  readonly paths?: string[];
  readonly maxFileBytes?: number;
  readonly symlinks?: { path: string; target: string }[];
  readonly outside?: Record<string, string>;
  readonly extraFiles?: { path: string; text?: string; base64?: string }[];
  readonly markers: number;
  readonly edits: Edit[];
  readonly problems: { file: string; line?: number; severity: FileProblem['severity']; message: string }[];
}

/** Regular files under `dir`, POSIX-relative, without following symlinks. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await filesUnder(dir, path)));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

function record(edit: PlannedEdit): Edit {
  const { start: _start, end: _end, replacement: _replacement, ...rest } = edit;
  return rest;
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('golden manifests', () => {
  const work: string[] = [];
  afterEach(async () => {
    await Promise.all(work.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('has fixture cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of cases) {
    const dir = join(FIXTURES, name);
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as GoldenCase;

    it(`${name}: ${spec.description}`, async () => {
      const base = await mkdtemp(join(tmpdir(), 'drawbridge-golden-'));
      work.push(base);
      const root = join(base, 'repo');
      const outside = join(base, 'outside');
      await cp(join(dir, 'input'), root, { recursive: true });
      for (const [path, text] of Object.entries(spec.outside ?? {})) {
        await mkdir(dirname(join(outside, path)), { recursive: true });
        await writeFile(join(outside, path), text);
      }
      for (const extra of spec.extraFiles ?? []) {
        await mkdir(dirname(join(root, extra.path)), { recursive: true });
        await writeFile(
          join(root, extra.path),
          extra.base64 ? Buffer.from(extra.base64, 'base64') : (extra.text ?? ''),
        );
      }
      for (const link of spec.symlinks ?? []) {
        await symlink(link.target.replace('@outside', outside), join(root, link.path));
      }
      const desired = new Map(
        Object.entries(spec.images).map(([imageKey, image]): [string, DesiredImage] => [
          imageKey,
          { imageKey, ...image },
        ]),
      );
      const knownImages = new Set(spec.knownImages ?? desired.keys());
      const input = {
        root,
        knownImages,
        desired,
        ...(spec.paths ? { paths: spec.paths } : {}),
        ...(spec.maxFileBytes ? { limits: { maxFileBytes: spec.maxFileBytes } } : {}),
      };

      const plan = await planEdits(input);
      expect(plan.markers).toHaveLength(spec.markers);
      expect(plan.edits.map(record)).toEqual(spec.edits);
      expect(plan.problems).toHaveLength(spec.problems.length);
      for (const [index, expected] of spec.problems.entries()) {
        const actual = plan.problems[index]!;
        expect({ file: actual.file, line: expected.line && actual.line, severity: actual.severity }).toEqual({
          file: expected.file,
          line: expected.line,
          severity: expected.severity,
        });
        expect(actual.message).toContain(expected.message);
      }

      const result = await applyPlan(root, plan);
      expect(result.problems).toEqual([]);
      const expectedDir = join(dir, 'expected');
      const changed = await filesUnder(expectedDir);
      expect(result.changedFiles).toEqual(changed);
      expect(result.applied).toHaveLength(plan.edits.length);

      for (const file of await filesUnder(join(dir, 'input'))) {
        const actual = await readFile(join(root, file));
        const wanted = await readFile(join(changed.includes(file) ? expectedDir : join(dir, 'input'), file));
        expect(actual.toString('utf8'), file).toBe(wanted.toString('utf8'));
        expect(actual.equals(wanted), `${file} byte for byte`).toBe(true);
      }
      for (const link of spec.symlinks ?? []) {
        expect((await lstat(join(root, link.path))).isSymbolicLink(), link.path).toBe(true);
      }
      for (const [path, text] of Object.entries(spec.outside ?? {})) {
        expect(await readFile(join(outside, path), 'utf8')).toBe(text);
      }
      expect((await filesUnder(root)).filter((path) => path.endsWith('.tmp'))).toEqual([]);

      const again = await planEdits(input);
      expect(again.edits).toEqual([]);
    });
  }
});
