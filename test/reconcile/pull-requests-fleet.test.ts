/**
 * Pull requests at fleet size (SPEC §10): 100 images, 1,000 manifests, 3,000 marked references,
 * one pull request per image (`drawbridge/{env}/{image}`) through `drawbridge scan`, the GitHub
 * emulator and a real bare remote. One pass opens 100; people refuse 75 and then merge 15, the
 * order that pushes the refusals furthest back (behind more than 50 closed pull requests), and
 * the next pass refuses every closed tag and reopens nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { startEmulator, type Emulator } from '../../src/testing/emulator/index.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../src/testing/github/index.js';
import {
  fleetPath,
  referencesOf,
  seedImages,
  seedRemote,
  type FleetImage,
  type SeededRemote,
} from '../helpers/big-fleet.js';
import { git, isolatedGitEnv } from '../helpers/git.js';
import { captureIO } from '../helpers/io.js';

const IMAGES = 100;
const FILES = 1_000;
const PER_FILE = 3;
const REPO = 'acme/fleet';
const TOKEN = 'ghp_fleetTESTtoken000000000000000000000';
const env = isolatedGitEnv({
  AWS_ACCESS_KEY_ID: 'AKIDTEST',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  GH_TOKEN: TOKEN,
});

let root: string;
let ecr: Emulator;
let github: GitHubEmulator;
let images: FleetImage[];
let remote: SeededRemote;
let configFile: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'drawbridge-pr-fleet-'));
  ecr = await startEmulator();
  // Tags 1.0.0 … 1.0.4; every reference at 1.0.3, so 1.0.4 is each image's one update.
  images = seedImages(ecr.ecr, IMAGES, 5);
  remote = await seedRemote(root, 'fleet', {
    files: FILES,
    perFile: PER_FILE,
    images,
    tag: '1.0.3',
    branches: ['main'],
  });
  // Hundreds of pushes and merges would start a detached `git gc --auto` in the remote, still
  // writing there when the test removes it.
  await git(remote.bare, ['config', 'receive.autogc', 'false']);
  await git(remote.bare, ['config', 'gc.auto', '0']);
  github = await startGitHubEmulator({ gitEnv: env });
  github.addRepository(REPO, remote.bare, { collaborators: ['alice'] });
  github.addToken(TOKEN, { permissions: { pull_requests: 'write', contents: 'write', issues: 'write' } });
  configFile = join(root, 'drawbridge.yaml');
  await writeFile(
    configFile,
    [
      'version: 1',
      'git:',
      `  url: ${remote.url}`,
      `  workdir: ${join(root, 'work')}`,
      '  author: { name: drawbridge, email: drawbridge@example.test }',
      `  forge: { type: github, apiUrl: ${github.apiUrl}, repository: ${REPO}, tokenEnv: GH_TOKEN, paceWrites: false }`,
      `aws: { region: eu-west-1, endpoint: ${ecr.endpoint} }`,
      'images:',
      ...images.map((image) => `  ${image.key}: { repository: ${image.uri} }`),
      'environments:',
      '  prod:',
      '    branch: main',
      "    push: { branch: 'drawbridge/{env}/{image}', pullRequest: { labels: [deploy] } }",
      '    policies:',
      ...images.map((image) => `      ${image.key}: { semver: '^1.0.0' }`),
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await github.close();
  await ecr.close();
  await rm(root, { recursive: true, force: true, maxRetries: 5 });
});

async function scan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env, cwd: root });
  const code = await runCli(['scan', '--config', configFile, ...args], io);
  return { code, out: io.out(), err: io.err() };
}

const open = () => github.pullRequests(REPO).filter((pr) => pr.state === 'open');
const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

describe('pull requests at fleet size', () => {
  it('opens one per image for 100 images, keeps them, and refuses every one a person closed', async () => {
    const seed = (await git(remote.bare, ['rev-parse', 'main'])).trim();

    // One pass: 200 branches, 200 pull requests, main untouched.
    let run = await scan();
    expect(run.code, run.err).toBe(0);
    expect(count(run.out, /^ {2}pull request #\d+ opened: /gm)).toBe(IMAGES);
    expect(open()).toHaveLength(IMAGES);
    expect(new Set(open().map((pr) => pr.head)).size).toBe(IMAGES);
    for (const pr of open()) {
      const key = pr.head.slice('drawbridge/prod/'.length);
      expect(pr.title).toBe(`deploy(prod): ${key} 1.0.3 → 1.0.4`);
      expect(pr.labels).toEqual(['deploy']);
    }
    expect((await git(remote.bare, ['rev-parse', 'main'])).trim()).toBe(seed);

    // Each branch changes exactly the files that reference its image, and only its lines.
    const sample = images[7]!;
    const files = Array.from({ length: FILES }, (_, i) => i).filter((i) =>
      referencesOf(i, PER_FILE, images).some((image) => image.key === sample.key),
    );
    const changed = (await git(remote.bare, ['diff', '--name-only', 'main', `drawbridge/prod/${sample.key}`]))
      .trim()
      .split('\n');
    expect(changed.sort()).toEqual(files.map(fleetPath).sort());
    const diff = await git(remote.bare, ['diff', '--unified=0', 'main', `drawbridge/prod/${sample.key}`]);
    expect(count(diff, /^\+ +image: /gm)).toBe(files.length);
    expect(
      count(diff, new RegExp(`^\\+ +image: ${sample.uri.replace(/[.]/g, '\\.')}:1\\.0\\.4 `, 'gm')),
    ).toBe(files.length);

    const created = github.calls('pulls.create');

    // People close the first 75 unmerged, then merge 15 more: the merges are the newer closed.
    const byNumber = open().sort((a, b) => a.number - b.number);
    const refused = byNumber.slice(0, 75);
    const merged = byNumber.slice(75, 90);
    for (const pr of refused) await github.close(REPO, pr.number);
    for (const pr of merged) await github.merge(REPO, pr.number, 'merge');

    // The next pass: nothing reopened; the 10 still open are rebuilt on the new main (their
    // own branches, replaced with a lease); every refused tag names its pull request.
    run = await scan('--explain');
    expect(run.code, run.err).toBe(0);
    expect(count(run.out, /opened/g)).toBe(0);
    expect(count(run.out, /pull request #\d+ updated: /g)).toBe(10);
    expect(github.calls('pulls.create')).toBe(created);
    expect(github.calls('pulls.update')).toBe(10);
    expect(open()).toHaveLength(10);
    expect(
      count(run.out, /rejected 1\.0\.4: reverted \(refused: pull request #\d+ closed without merging\)/g),
    ).toBe(75);
    for (const pr of [refused[0]!, refused[74]!])
      expect(run.out).toContain(
        `rejected 1.0.4: reverted (refused: pull request #${pr.number} closed without merging)`,
      );
    for (const pr of merged) {
      const key = pr.head.slice('drawbridge/prod/'.length);
      expect(run.out).toMatch(new RegExp(`^ {2}${key}: in Git 1\\.0\\.4$`, 'm'));
    }
  }, 600_000);
});
