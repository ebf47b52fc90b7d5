/**
 * The shape that failed with `spawn E2BIG` before (issue: a real fleet): 200 ECR repositories
 * × 100 tags, one branch, 1,000 manifests holding 7,000 marked references, all updated in one
 * commit through `drawbridge scan` — then a person reverts that commit, and every one of the
 * 200 updates is refused from then on.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { parseTrailers } from '../../src/git/trailers.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import {
  fleetConfigLines,
  fleetManifest,
  fleetPath,
  referencesOf,
  seedImages,
  seedRemote,
  type FleetImage,
  type SeededRemote,
} from '../helpers/big-fleet.js';
import { git, isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';

const IMAGES = 200;
const TAGS = 100;
const FILES = 1_000;
const PER_FILE = 7;
const DESCRIBE_IMAGES = 'AmazonEC2ContainerRegistry_V20150921.DescribeImages';

let root: string;
let emulator: Emulator;
let images: FleetImage[];
let remote: SeededRemote;
let configFile: string;
const env = isolatedGitEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'drawbridge-fleet-size-'));
  emulator = await startEmulator();
  images = seedImages(emulator.ecr, IMAGES, TAGS);
  // Every reference at 1.0.98: the one newer tag, 1.0.99, is the update.
  remote = await seedRemote(root, 'fleet', {
    files: FILES,
    perFile: PER_FILE,
    images,
    tag: '1.0.98',
    branches: ['main'],
  });
  configFile = join(root, 'drawbridge.yaml');
  await writeFile(
    configFile,
    [
      'version: 1',
      `git: { url: ${remote.url}, workdir: ${join(root, 'work')}, author: { name: drawbridge, email: drawbridge@example.test } }`,
      `aws: { region: eu-west-1, endpoint: ${emulator.endpoint} }`,
      ...fleetConfigLines(images, { name: 'prod', branch: 'main', policy: "{ semver: '^1.0.0' }" }),
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await emulator.close();
  await rm(root, { recursive: true, force: true });
});

const scan = async (): Promise<{ code: number; out: string; err: string }> => {
  const io = captureIO({ env, cwd: root });
  const code = await runCli(['scan', '--config', configFile], io);
  return { code, out: io.out(), err: io.err() };
};

describe('a fleet of 200 images and 7,000 references', () => {
  it('commits every update in one readable commit, byte-exact, and a person’s revert refuses all of them', async () => {
    const before = (await git(remote.bare, ['rev-parse', 'main'])).trim();
    const first = await scan();
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^prod \(main\): committed [0-9a-f]{12}, 200 updates$/m);
    // ECR is read once per image.
    expect(emulator.server.calls(DESCRIBE_IMAGES)).toBe(IMAGES);

    // One commit on top of the seed, by drawbridge.
    const commits = (await git(remote.bare, ['rev-list', `${before}..main`])).trim().split('\n');
    expect(commits).toHaveLength(1);
    const commit = commits[0]!;
    expect((await git(remote.bare, ['rev-parse', `${commit}^`])).trim()).toBe(before);
    expect((await git(remote.bare, ['log', '-1', '--format=%an <%ae>', commit])).trim()).toBe(
      'drawbridge <drawbridge@example.test>',
    );

    // Byte-exact: every file is what the generator writes at 1.0.99, and no other file changed.
    const changed = (await git(remote.bare, ['diff', '--name-only', before, commit])).trim().split('\n');
    expect(changed).toHaveLength(FILES);
    const tree = await git(remote.bare, ['ls-tree', '-r', '--name-only', commit]);
    expect(tree.trim().split('\n')).toHaveLength(FILES);
    for (const index of [0, 1, 137, 500, 999]) {
      const text = await git(remote.bare, ['show', `${commit}:${fleetPath(index)}`]);
      expect(text).toBe(fleetManifest(index, referencesOf(index, PER_FILE, images), '1.0.99'));
    }
    const numstat = await git(remote.bare, ['diff', '--numstat', before, commit]);
    const lines = numstat.trim().split('\n');
    expect(lines.every((line) => line.startsWith(`${PER_FILE}\t${PER_FILE}\t`))).toBe(true);

    // A readable message: one subject line of at most 72 characters, every image in the body,
    // and all 200 trailers, with the digests ECR has for 1.0.99.
    const message = await git(remote.bare, ['log', '-1', '--format=%B', commit]);
    const [subject, blank] = message.split('\n');
    expect(subject).toBe(`deploy(prod): ${images[0]!.key} 1.0.98 → 1.0.99 and 199 more`);
    expect([...subject!].length).toBeLessThanOrEqual(72);
    expect(blank).toBe('');
    for (const image of images) {
      expect(message).toContain(`${image.key}  ${image.uri}  1.0.98 → 1.0.99  sha256:`);
    }
    expect(message.split('\n').filter((line) => line === '  35 files')).toHaveLength(IMAGES);
    const trailers = parseTrailers(message);
    expect(trailers.environment).toBe('prod');
    expect(trailers.updates).toHaveLength(IMAGES);
    for (const [i, image] of images.entries()) {
      const name = image.uri.slice(image.uri.indexOf('/') + 1);
      const digest = emulator.ecr.repository(name).find({ tag: '1.0.99' })?.digest;
      expect(trailers.updates[i]).toEqual({ image: image.key, old: '1.0.98', new: '1.0.99', digest });
    }

    // A second pass changes nothing.
    const second = await scan();
    expect(second.out).toMatch(/^prod \(main\): up to date$/m);
    expect((await git(remote.bare, ['rev-parse', 'main'])).trim()).toBe(commit);

    // A person reverts the whole commit.
    const clone = join(root, 'person');
    await git(root, ['clone', '--quiet', '--branch', 'main', remote.bare, clone]);
    await git(clone, ['revert', '--no-edit', commit]);
    await git(clone, ['push', '--quiet', 'origin', 'HEAD:main']);
    const reverted = (await git(remote.bare, ['rev-parse', 'main'])).trim();

    // Every one of the 200 updates is refused: nothing is committed, and the explain output
    // says `reverted` for each image.
    const io = captureIO({ env, cwd: root });
    expect(await runCli(['scan', '--config', configFile, '--json'], io)).toBe(0);
    const [line] = io.out().trim().split('\n');
    const outcome = JSON.parse(line!) as {
      status: string;
      images: {
        image: string;
        current: string[];
        next: string;
        rejected: { tag: string; reason: string }[];
      }[];
    };
    expect(outcome.status).toBe('unchanged');
    expect(outcome.images).toHaveLength(IMAGES);
    for (const image of outcome.images) {
      expect(image.current).toEqual(['1.0.98']);
      expect(image.next).toBe('1.0.98');
      expect(image.rejected).toContainEqual(expect.objectContaining({ tag: '1.0.99', reason: 'reverted' }));
    }
    expect((await git(remote.bare, ['rev-parse', 'main'])).trim()).toBe(reverted);
    const text = await git(remote.bare, ['show', `main:${fleetPath(42)}`]);
    expect(text).toBe(fleetManifest(42, referencesOf(42, PER_FILE, images), '1.0.98'));
  }, 180_000);

  it('starts the next scan process from the plans the last one kept beside the clone', async () => {
    const work = join(root, 'work');
    const [folder] = await readdir(work);
    const file = join(work, folder!, 'unchanged-plans.json');
    const memo = JSON.parse(await readFile(file, 'utf8')) as {
      stamp: string;
      entries: Record<string, { current: Record<string, string[]>; filesScanned: number }>;
    };
    // What the pass reports of each image, not every reference: a few bytes per image.
    expect(Object.keys(memo.entries['prod']?.current ?? {})).toHaveLength(IMAGES);
    expect(memo.entries['prod']?.filesScanned).toBe(FILES);
    expect(JSON.stringify(memo).length).toBeLessThan(IMAGES * 400);
    const currentOf = async (image: string): Promise<string[] | undefined> => {
      const io = captureIO({ env, cwd: root });
      expect(await runCli(['scan', '--config', configFile, '--json'], io)).toBe(0);
      const outcome = JSON.parse(io.out().trim().split('\n')[0]!) as {
        status: string;
        images: { image: string; current: string[] }[];
      };
      expect(outcome.status).toBe('unchanged');
      return outcome.images.find((i) => i.image === image)?.current;
    };
    // Marked as something no file says: a scan that shows it read the memo, not the files.
    const image = images[0]!.key;
    const kept = memo.entries['prod']!.current;
    expect(kept[image]).toEqual(['1.0.98']);
    kept[image] = ['0.0.1-from-the-memo'];
    await writeFile(file, JSON.stringify(memo));
    expect(await currentOf(image)).toEqual(['0.0.1-from-the-memo']);

    // Another drawbridge's memo, or a damaged one, is ignored and written again.
    await writeFile(file, JSON.stringify({ ...memo, stamp: `${memo.stamp}-other` }));
    expect(await currentOf(image)).toEqual(['1.0.98']);
    await writeFile(file, '{"format": 2, "stamp"');
    expect(await currentOf(image)).toEqual(['1.0.98']);
    const rewritten = JSON.parse(await readFile(file, 'utf8')) as typeof memo;
    expect(rewritten.stamp).toBe(memo.stamp);
    expect(rewritten.entries['prod']?.current[image]).toEqual(['1.0.98']);
  }, 180_000);
});
