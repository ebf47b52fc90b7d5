import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findMarkers } from '../../src/manifest/index.js';

let root: string;
const known = new Set(['podinfo']);
const marked = (tag: string): string => `image: x/podinfo:${tag} # {"$imagepolicy": "podinfo"}\n`;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'drawbridge-marked-'));
  await mkdir(join(root, 'apps'), { recursive: true });
  await writeFile(join(root, 'apps/a.yaml'), marked('1.0.0'));
  await writeFile(join(root, 'apps/b.yaml'), marked('2.0.0'));
  await writeFile(join(root, 'apps/notes.txt'), marked('3.0.0'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findMarkers with markedFiles from git grep', () => {
  it('reads only the files it is given, without walking the tree', async () => {
    const result = await findMarkers({ root, knownImages: known, markedFiles: ['apps/b.yaml'] });
    expect(result.markers.map((m) => [m.file, m.value])).toEqual([['apps/b.yaml', 'x/podinfo:2.0.0']]);
    expect(result.filesScanned).toBe(1);
  });

  it('keeps the name rule: other files only when a path names them', async () => {
    const files = ['apps/a.yaml', 'apps/notes.txt'];
    const unnamed = await findMarkers({ root, knownImages: known, markedFiles: files });
    expect(unnamed.markers.map((m) => m.file)).toEqual(['apps/a.yaml']);
    const named = await findMarkers({
      root,
      knownImages: known,
      markedFiles: files,
      paths: ['apps/notes.txt', 'apps'],
    });
    expect(named.markers.map((m) => m.file)).toEqual(['apps/a.yaml', 'apps/notes.txt']);
  });

  it('finds the same markers as the walk when given every marked file', async () => {
    const walked = await findMarkers({ root, knownImages: known });
    const given = await findMarkers({
      root,
      knownImages: known,
      markedFiles: ['apps/b.yaml', 'apps/a.yaml'],
    });
    expect(given.markers).toEqual(walked.markers);
  });
});
