/**
 * Any OCI registry at fleet size (SPEC §12): 200 repositories × 6 tags in a real registry
 * (Debian's docker-registry, the Bearer token flow with a token server, plain HTTP by name),
 * 1,000 manifests with 7,000 marked references in a real bare remote, through the production runtime and then the
 * `drawbridge scan` command. One pass commits every update once, reading the tag lists plus
 * one HEAD per image for tag policies, and a handful of manifests for `minAge`; the requests
 * are counted. The password appears in no output.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { fleetPath, seedRemote, type FleetImage, type SeededRemote } from '../helpers/big-fleet.js';
import { git, isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';
import { registryInstalled, startTestRegistry, type TestRegistry } from '../helpers/oci-registry.js';
import { mapBounded } from '../../src/map-bounded.js';

const IMAGES = 200;
const TAGS = 6;
const FILES = 1_000;
const PER_FILE = 7;
const HOUR = 3_600_000;
const PASSWORD = 'pull-Secret-9f3a1c';
const env = isolatedGitEnv({ REG_USER: 'fleet', REG_PASSWORD: PASSWORD });

let root: string;
let registry: TestRegistry;
let images: FleetImage[];
let remote: SeededRemote;
let configText: string;
let configFile: string;

describe.runIf(registryInstalled())('an OCI registry fleet', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'drawbridge-oci-fleet-'));
    // The Bearer token flow (as GHCR, Docker Hub and Harbor): a token per repository scope.
    registry = await startTestRegistry({ users: { fleet: PASSWORD }, token: {} });
    const now = Date.now();
    // 1.0.t was made (5 - t) days and an hour ago: 1.0.5 an hour ago, 1.0.3 two days ago.
    const tags = Array.from({ length: TAGS }, (_, t) => ({
      tag: `1.0.${t}`,
      created: new Date(now - (TAGS - 1 - t) * 24 * HOUR - HOUR),
    }));
    images = Array.from({ length: IMAGES }, (_, i) => ({
      key: `svc-${i}`,
      uri: `${registry.host}/team/svc-${i}`,
    }));
    await mapBounded(images, 4, async (_, i) => {
      await registry.pushTags(`team/svc-${i}`, tags);
    });
    remote = await seedRemote(root, 'fleet', {
      files: FILES,
      perFile: PER_FILE,
      images,
      tag: '1.0.1',
      branches: ['main'],
    });
    await git(remote.bare, ['config', 'gc.auto', '0']);
    configText = [
      'version: 1',
      'git:',
      `  url: ${remote.url}`,
      `  workdir: ${join(root, 'work')}`,
      '  author: { name: drawbridge, email: drawbridge@example.test }',
      'registries:',
      `  ${registry.host}: { insecure: true, usernameEnv: REG_USER, passwordEnv: REG_PASSWORD }`,
      'images:',
      ...images.map((image) => `  ${image.key}: { repository: ${image.uri} }`),
      'environments:',
      '  prod:',
      '    branch: main',
      '    policies:',
      // The first half takes the highest version; the second only one at least 36 hours old.
      ...images.map((image, i) =>
        i < IMAGES / 2
          ? `      ${image.key}: { semver: '^1.0.0' }`
          : `      ${image.key}: { semver: '^1.0.0', minAge: 36h }`,
      ),
      '',
    ].join('\n');
    configFile = join(root, 'drawbridge.yaml');
    await writeFile(configFile, configText);
  }, 300_000);

  afterAll(async () => {
    await registry?.close();
    if (root) await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('updates 7,000 references in one commit, reading tag lists and a few manifests', async () => {
    const seed = (await git(remote.bare, ['rev-parse', 'main'])).trim();
    const requests = new Map<string, number>();
    const runtime = await createRuntime({
      config: parseConfig(configText, configFile).config,
      logger: createLogger({ level: 'silent' }),
      env,
      baseDir: root,
      onRegistryRequest: (host, kind, status) => {
        expect(host).toBe(registry.host);
        requests.set(`${kind} ${status}`, (requests.get(`${kind} ${status}`) ?? 0) + 1);
      },
    });
    try {
      const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
      const prod = result.environments.find((environment) => environment.environment === 'prod');
      expect(prod?.status, JSON.stringify(prod?.error ?? '')).toBe('committed');
    } finally {
      await runtime.close();
    }

    // One commit on main; every file changed; 1.0.5 for the first half, 1.0.3 for the second.
    expect((await git(remote.bare, ['rev-list', '--count', `${seed}..main`])).trim()).toBe('1');
    const changed = (await git(remote.bare, ['diff', '--name-only', seed, 'main'])).trim().split('\n');
    expect(changed).toHaveLength(FILES);
    const diff = await git(remote.bare, ['diff', '--unified=0', seed, 'main']);
    const added = diff.split('\n').filter((line) => /^\+ +image: /.test(line));
    expect(added).toHaveLength(FILES * PER_FILE);
    const tagOf = (line: string): string => /:(1\.0\.\d+) /.exec(line)?.[1] ?? '';
    const byTag = new Map<string, number>();
    for (const line of added) byTag.set(tagOf(line), (byTag.get(tagOf(line)) ?? 0) + 1);
    expect(byTag).toEqual(
      new Map([
        ['1.0.5', 3_500],
        ['1.0.3', 3_500],
      ]),
    );
    expect(await git(remote.bare, ['show', `main:${fleetPath(0)}`])).toContain(
      `image: ${images[0]!.uri}:1.0.5 # {"$imagepolicy": "flux-system:${images[0]!.key}"}`,
    );

    // The economy: one tag list per repository, after one challenge and one token for its
    // scope; one HEAD per tag-policy image; for minAge, 1.0.5 (too young), then 1.0.4 … 1.0.1
    // in the second round: five HEADs and five manifests, never an image config.
    expect(requests.get('tags 200')).toBe(IMAGES);
    expect(requests.get('tags 401')).toBe(IMAGES);
    expect(requests.get('token 200')).toBe(IMAGES);
    expect(requests.get('head 200')).toBe(IMAGES / 2 + (IMAGES / 2) * 5);
    expect(requests.get('manifest 200')).toBe((IMAGES / 2) * 5);
    expect(requests.get('blob 200')).toBeUndefined();
    expect([...requests.keys()].filter((key) => !key.endsWith(' 200') && key !== 'tags 401')).toEqual([]);
    expect(registry.tokenRequests.get('granted')).toBe(IMAGES);
  }, 600_000);

  it('a second pass through `drawbridge scan` finds nothing to do, and prints no password', async () => {
    const io = captureIO({ env, cwd: root });
    const code = await runCli(['scan', '--config', configFile, '--explain', '--log-level', 'debug'], io);
    expect(code, io.err()).toBe(0);
    expect(io.out()).toMatch(/prod: .*unchanged|nothing to change|up to date/i);
    expect(io.out()).toContain('svc-150: in Git 1.0.3');
    expect(io.out()).toMatch(/created \S+ \(org\.opencontainers\.image\.created\)/);
    expect(`${io.out()}${io.err()}`).not.toContain(PASSWORD);
    expect(`${io.out()}${io.err()}`).not.toContain(Buffer.from(`fleet:${PASSWORD}`).toString('base64'));
  }, 600_000);

  it('across 4 Git repositories reads each tag list once, whatever the repositories', async () => {
    // The same 200 images in 4 more remotes of 250 files each (1,750 references apiece), each
    // its own environment: one commit per repository, and the registry read as for one.
    const remotes = await Promise.all(
      [0, 1, 2, 3].map((n) =>
        seedRemote(root, `team-${n}`, {
          files: 250,
          perFile: PER_FILE,
          images,
          tag: '1.0.1',
          branches: ['main'],
        }),
      ),
    );
    const seeds = await Promise.all(
      remotes.map(async (r) => (await git(r.bare, ['rev-parse', 'main'])).trim()),
    );
    const text = [
      'version: 1',
      `git: { url: ${remotes[0]!.url}, workdir: ${join(root, 'work-many')}, author: { name: drawbridge, email: drawbridge@example.test } }`,
      'repositories:',
      ...remotes.slice(1).map((r, n) => `  team-${n + 1}: { url: ${r.url} }`),
      'registries:',
      `  ${registry.host}: { insecure: true, usernameEnv: REG_USER, passwordEnv: REG_PASSWORD }`,
      'images:',
      ...images.map((image) => `  ${image.key}: { repository: ${image.uri} }`),
      'environments:',
      ...remotes.flatMap((_, n) => [
        `  env-${n}:`,
        ...(n === 0 ? [] : [`    repository: team-${n}`]),
        '    branch: main',
        '    policies:',
        ...images.map((image) => `      ${image.key}: { semver: '^1.0.0' }`),
      ]),
      '',
    ].join('\n');
    const requests = new Map<string, number>();
    const runtime = await createRuntime({
      config: parseConfig(text, configFile).config,
      logger: createLogger({ level: 'silent' }),
      env,
      baseDir: root,
      onRegistryRequest: (_host, kind, status) => {
        requests.set(`${kind} ${status}`, (requests.get(`${kind} ${status}`) ?? 0) + 1);
      },
    });
    try {
      const result = await runtime.reconciler.reconcile({ trigger: 'manual' });
      expect(result.environments.map((environment) => environment.status)).toEqual([
        'committed',
        'committed',
        'committed',
        'committed',
      ]);
    } finally {
      await runtime.close();
    }
    for (const [n, r] of remotes.entries()) {
      expect((await git(r.bare, ['rev-list', '--count', `${seeds[n]!}..main`])).trim()).toBe('1');
      const diff = await git(r.bare, ['diff', '--unified=0', seeds[n]!, 'main']);
      expect(diff.split('\n').filter((line) => /^\+ +image: .*:1\.0\.5 /.test(line))).toHaveLength(
        250 * PER_FILE,
      );
    }
    // One tag list per image, one HEAD per image: the four environments share what was read.
    expect(requests.get('tags 200')).toBe(IMAGES);
    expect(requests.get('head 200')).toBe(IMAGES);
    expect(requests.get('manifest 200')).toBeUndefined();
  }, 600_000);
});
