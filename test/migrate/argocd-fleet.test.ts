/**
 * `drawbridge import argocd-image-updater --write-markers` at fleet size (SPEC §13): 200
 * Applications, one image each, half kustomizations and half Helm values files, in one
 * repository; plus hostile Applications (a write-back target leaving the repository, a
 * symlinked kustomization pointing outside it, an image-list carrying a forged trailer line, a
 * path-trick alias (only a name: made a safe key), a flow-style entry, an image-list of 150 images). Every honest file gets its
 * markers byte-exact, a second run adds none, the hostile ones are refused with a one-line note
 * each and touch nothing, and `validate` accepts the config and counts every marker.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { createTestRemote, isolatedGitEnv, type TestRemote } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';

const APPS = 200;
const HOST = 'registry.example.test';
const A = 'argocd-image-updater.argoproj.io';
const env = isolatedGitEnv();

const name = (i: number): string => `svc-${String(i).padStart(3, '0')}`;
const isHelm = (i: number): boolean => i % 2 === 1;

function application(
  appName: string,
  annotations: Record<string, string>,
  path: string,
  url: string,
): string {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${appName}`,
    '  namespace: argocd',
    '  annotations:',
    ...Object.entries(annotations).map(([key, value]) => `    ${A}/${key}: ${JSON.stringify(value)}`),
    'spec:',
    `  source: { repoURL: '${url}', targetRevision: main, path: ${path} }`,
  ].join('\n');
}

function honest(i: number, url: string): string {
  const key = name(i);
  return application(
    key,
    {
      'image-list': `${key}=${HOST}/team/${key}:^1.0.0`,
      'write-back-method': 'git',
      'write-back-target': isHelm(i) ? 'helmvalues:values.yaml' : 'kustomization',
    },
    `apps/${key}`,
    url,
  );
}

const kustomization = (i: number): string =>
  `resources: [deployment.yaml]\nimages:\n  - name: ${HOST}/team/${name(i)}\n    newTag: 1.0.${i}\n`;
const values = (i: number): string =>
  `replicaCount: 2\nimage:\n  name: ${HOST}/team/${name(i)}\n  tag: "1.0.${i}"\n  pullPolicy: IfNotPresent\n`;
const fileOf = (i: number): string => `apps/${name(i)}/${isHelm(i) ? 'values.yaml' : 'kustomization.yaml'}`;
const markedOf = (i: number): string =>
  isHelm(i)
    ? values(i)
        .replace(`team/${name(i)}\n`, `team/${name(i)} # {"$imagepolicy": "${name(i)}:name"}\n`)
        .replace(`"1.0.${i}"\n`, `"1.0.${i}" # {"$imagepolicy": "${name(i)}:tag"}\n`)
    : kustomization(i).replace(
        `newTag: 1.0.${i}\n`,
        `newTag: 1.0.${i} # {"$imagepolicy": "${name(i)}:tag"}\n`,
      );

describe('drawbridge import argocd-image-updater at fleet size', () => {
  let remote: TestRemote;
  let dir: string;
  let checkout: string;
  let outside: string;
  const hostileFiles: Record<string, string> = {
    'apps/evil-flow/kustomization.yaml': `images:\n  - { name: ${HOST}/team/flow, newTag: 1.0.0 }\n`,
    'apps/evil-path/kustomization.yaml': `images:\n  - name: ${HOST}/team/path\n    newTag: 1.0.0\n`,
    'apps/evil-alias/kustomization.yaml': `images:\n  - name: ${HOST}/team/alias\n    newTag: 1.0.0\n`,
  };

  beforeAll(async () => {
    remote = await createTestRemote();
    dir = await mkdtemp(join(tmpdir(), 'drawbridge-argo-fleet-'));
    checkout = join(dir, 'checkout');
    outside = join(dir, 'outside.yaml');
    const files: Record<string, string> = { ...hostileFiles };
    for (let i = 0; i < APPS; i++) {
      files[fileOf(i)] = isHelm(i) ? values(i) : kustomization(i);
      if (!isHelm(i))
        files[`apps/${name(i)}/deployment.yaml`] = `kind: Deployment\nmetadata: { name: ${name(i)} }\n`;
    }
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(checkout, path)), { recursive: true });
      await writeFile(join(checkout, path), content);
    }
    await writeFile(outside, `images:\n  - name: ${HOST}/team/link\n    newTag: 1.0.0\n`);
    await mkdir(join(checkout, 'apps/evil-link'), { recursive: true });
    await symlink(outside, join(checkout, 'apps/evil-link/kustomization.yaml'));

    const many = Array.from({ length: 150 }, (_, n) => `m${n}=${HOST}/team/many-${n}`).join(', ');
    const objects = [
      ...Array.from({ length: APPS }, (_, i) => honest(i, remote.url)),
      application(
        'evil-path',
        {
          'image-list': `path=${HOST}/team/path`,
          'write-back-method': 'git',
          'write-back-target': 'kustomization:../../../../etc',
        },
        'apps/evil-path',
        remote.url,
      ),
      application(
        'evil-link',
        {
          'image-list': `link=${HOST}/team/link`,
          'write-back-method': 'git',
          'write-back-target': 'kustomization',
        },
        'apps/evil-link',
        remote.url,
      ),
      application(
        'evil-trailer',
        {
          'image-list': `x=${HOST}/team/x:1.x\nSigned-off-by: mallory <m@evil.test>`,
          'write-back-method': 'git',
        },
        'apps/evil-trailer',
        remote.url,
      ),
      application(
        'evil-alias',
        {
          'image-list': `../../alias=${HOST}/team/alias`,
          '.._.._alias.kustomize.image-name': `${HOST}/team/alias`,
          'write-back-method': 'git',
          'write-back-target': 'kustomization',
        },
        'apps/evil-alias',
        remote.url,
      ),
      application(
        'evil-flow',
        {
          'image-list': `flow=${HOST}/team/flow`,
          'write-back-method': 'git',
          'write-back-target': 'kustomization',
        },
        'apps/evil-flow',
        remote.url,
      ),
      application(
        'evil-many',
        { 'image-list': many, 'write-back-method': 'git' },
        'apps/evil-many',
        remote.url,
      ),
    ];
    await writeFile(join(dir, 'apps.yaml'), `${objects.join('\n---\n')}\n`);
  }, 120_000);

  afterAll(async () => {
    await remote?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('marks 200 Applications byte-exact, refuses the hostile ones with a note, and validates', async () => {
    const io = captureIO({ env, cwd: dir });
    const args = ['import', 'argocd-image-updater', 'apps.yaml', '--write-markers', 'checkout'];
    expect(await runCli(args, io), io.err()).toBe(0);
    // 100 kustomizations (newTag) + 100 values files (name and tag).
    expect(io.err()).toMatch(
      /^read 206 objects: 304 images, 206 environments; wrote 301 markers in 201 files \(0 there already\), \d+ notes to read\n$/,
    );
    const config = io.out();

    for (let i = 0; i < APPS; i++)
      expect(await readFile(join(checkout, fileOf(i)), 'utf8')).toBe(markedOf(i));
    for (const path of ['apps/evil-flow/kustomization.yaml', 'apps/evil-path/kustomization.yaml'])
      expect(await readFile(join(checkout, path), 'utf8')).toBe(hostileFiles[path]);
    expect(await readFile(outside, 'utf8')).toBe(`images:\n  - name: ${HOST}/team/link\n    newTag: 1.0.0\n`);

    // Each refusal is one escaped line; nothing from an annotation starts a line of its own.
    expect(config).toContain(
      '# NOTE: write-back-target kustomization:../../../../etc leaves the repository: mark the image by hand',
    );
    expect(config).toMatch(
      /# NOTE: no marker for link: apps\/evil-link\/kustomization.yaml is a symlink, not followed/,
    );
    expect(config).toMatch(
      /# NOTE: no tag marker for flow in apps\/evil-flow\/kustomization.yaml: the value sits inside a flow collection/,
    );
    expect(config).toContain('# NOTE: image-list names 150 images; the first 100 are read');
    expect(config).not.toMatch(/^\s*Signed-off-by/m);
    expect(config).toMatch(/# NOTE: image \S+ left out: names a tag/);
    expect(config).toContain('  x..-..-alias:');
    // A path-trick alias is only a name: its key is made safe and its marker names that key.
    const aliasFile = 'apps/evil-alias/kustomization.yaml';
    expect(await readFile(join(checkout, aliasFile), 'utf8')).toBe(
      hostileFiles[aliasFile]!.replace(
        'newTag: 1.0.0\n',
        'newTag: 1.0.0 # {"$imagepolicy": "x..-..-alias:tag"}\n',
      ),
    );

    const again = captureIO({ env, cwd: dir });
    expect(await runCli(args, again)).toBe(0);
    expect(again.err()).toContain('wrote 0 markers in 0 files (301 there already)');
    expect(again.out()).toBe(config);

    const files: Record<string, string> = {};
    for (let i = 0; i < APPS; i++) files[fileOf(i)] = markedOf(i);
    files[aliasFile] = await readFile(join(checkout, aliasFile), 'utf8');
    await remote.commit('main', { ...hostileFiles, ...files });
    await writeFile(join(dir, 'drawbridge.yaml'), config);
    const validate = captureIO({ env, cwd: dir });
    expect(await runCli(['validate', '--config', 'drawbridge.yaml'], validate), validate.err()).toBe(0);
    expect(validate.out()).toContain('markers: 301 markers in 201 files across 206 environments');
  }, 240_000);
});
