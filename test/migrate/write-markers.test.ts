/** `--write-markers`: only a comment is added, only where drawbridge will read it, never outside the checkout. */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarkerRequest } from '../../src/migrate/marker-requests.js';
import { writeMarkers } from '../../src/migrate/write-markers.js';

let root: string;
let elsewhere: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'drawbridge-markers-'));
  elsewhere = await mkdtemp(join(tmpdir(), 'drawbridge-elsewhere-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(elsewhere, { recursive: true, force: true });
});

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

const kustomize = (path: string, imageKey: string, name: string, digest = false): MarkerRequest => ({
  environment: 'prod',
  imageKey,
  target: 'kustomization',
  path,
  kustomizeNames: [name],
  helm: { name: 'image.name', tag: 'image.tag' },
  digest,
});

const helm = (path: string, imageKey: string, keys: Partial<MarkerRequest['helm']> = {}): MarkerRequest => ({
  environment: 'prod',
  imageKey,
  target: 'helmvalues',
  path,
  kustomizeNames: [],
  helm: { name: 'image.name', tag: 'image.tag', ...keys },
  digest: false,
});

describe('writing markers', () => {
  it('marks an entry in a later document, its digest when pinned, and counts a marker already there', async () => {
    await put(
      'a/kustomization.yaml',
      '# a comment\n---\nimages:\n- name: acme/api\n  newTag: "1.0.0"\n  digest: sha256:aa\n- name: acme/web\n  newTag: 2.0.0 # {"$imagepolicy": "web:tag"}\n',
    );
    const report = await writeMarkers(root, [
      kustomize('a', 'api', 'acme/api', true),
      kustomize('a', 'web', 'acme/web'),
    ]);
    expect(report).toMatchObject({ written: 2, present: 1, files: ['a/kustomization.yaml'] });
    expect(await readFile(join(root, 'a/kustomization.yaml'), 'utf8')).toBe(
      '# a comment\n---\nimages:\n- name: acme/api\n  newTag: "1.0.0" # {"$imagepolicy": "api:tag"}\n  digest: sha256:aa # {"$imagepolicy": "api:digest"}\n- name: acme/web\n  newTag: 2.0.0 # {"$imagepolicy": "web:tag"}\n',
    );
  });

  it('marks a whole reference under helm.image-spec, and leaves a multi-line value alone with a note', async () => {
    const values = 'app:\n  image: acme/api:1.0.0\nsidecar:\n  image:\n    tag: >-\n      1.0.0\n';
    await put('values.yaml', values);
    const report = await writeMarkers(root, [
      helm('values.yaml', 'api', { spec: 'app.image' }),
      helm('values.yaml', 'sidecar', { tag: 'sidecar.image.tag' }),
    ]);
    expect(report.written).toBe(1);
    expect(report.notes.get('prod')).toEqual([
      'no tag marker for sidecar in values.yaml: the value spans several lines',
    ]);
    expect(await readFile(join(root, 'values.yaml'), 'utf8')).toBe(
      values.replace('acme/api:1.0.0\n', 'acme/api:1.0.0 # {"$imagepolicy": "api"}\n'),
    );
  });

  it('writes nothing into a file that does not parse, nor through a folder that leads outside', async () => {
    await put('broken/values.yaml', 'image:\n  tag: [1.0.0\n');
    await writeFile(join(elsewhere, 'kustomization.yaml'), 'images:\n- name: acme/api\n  newTag: 1.0.0\n');
    await symlink(elsewhere, join(root, 'outside'));
    const report = await writeMarkers(root, [
      helm('broken/values.yaml', 'api'),
      kustomize('outside', 'api', 'acme/api'),
      kustomize('missing', 'api', 'acme/api'),
      kustomize('broken', 'api', 'acme/api'),
    ]);
    expect(report.written).toBe(0);
    expect(report.notes.get('prod')).toEqual([
      'no marker for api: outside/kustomization.yaml lies outside the repository',
      'no marker for api: no kustomization file in missing',
      'no marker for api: no kustomization file in broken',
      'no marker for api: broken/values.yaml does not parse as YAML',
    ]);
    expect(await readFile(join(elsewhere, 'kustomization.yaml'), 'utf8')).toBe(
      'images:\n- name: acme/api\n  newTag: 1.0.0\n',
    );
    expect(await readFile(join(root, 'broken/values.yaml'), 'utf8')).toBe('image:\n  tag: [1.0.0\n');
  });
});
