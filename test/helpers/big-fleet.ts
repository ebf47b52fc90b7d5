/**
 * Fleets at the size users run, for the integration tests and the benchmarks: images with
 * many tags in the ECR emulator, and bare remotes holding thousands of manifests with several
 * marked references each. Remotes are written with `git fast-import` from a stream, so
 * nothing that grows with the fleet goes on a command line here either.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EcrStore } from '../../src/testing/emulator/ecr.js';
import { git, isolatedGitEnv } from './git.js';

export interface FleetImage {
  /** The image key in drawbridge.yaml. */
  readonly key: string;
  readonly uri: string;
}

/** `count` repositories `<prefix><i>`, each with tags `1.0.0` … `1.0.<tags-1>`, pushed a day apart in order. */
export function seedImages(ecr: EcrStore, count: number, tags: number, prefix = 'team/svc-'): FleetImage[] {
  const start = Date.now() - (tags + 2) * 86_400_000;
  const images: FleetImage[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = `${prefix}${i}`;
    const uri = ecr.createRepository(name);
    for (let t = 0; t < tags; t += 1) {
      ecr.pushImage({ repository: name, tags: [`1.0.${t}`], pushedAt: new Date(start + t * 86_400_000) });
    }
    images.push({ key: name.replace(/[^A-Za-z0-9._-]/g, '-'), uri });
  }
  return images;
}

/** The references of manifest `index`: `perFile` images, taken round-robin from `images`. */
export function referencesOf(index: number, perFile: number, images: readonly FleetImage[]): FleetImage[] {
  return Array.from({ length: perFile }, (_, k) => images[(index * perFile + k) % images.length]!);
}

/** One Deployment whose containers run `references`, every image at `tag`. */
export function fleetManifest(index: number, references: readonly FleetImage[], tag: string): string {
  const containers = references
    .map(
      (image, k) =>
        `        - name: c${k}\n          image: ${image.uri}:${tag} # {"$imagepolicy": "flux-system:${image.key}"}\n          resources: { requests: { cpu: 10m } }\n`,
    )
    .join('');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${index}\n  labels: { team: team-${index % 40} }\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n${containers}`;
}

/** Where manifest `index` lives. */
export function fleetPath(index: number): string {
  return `apps/team-${index % 40}/app-${index}/deployment.yaml`;
}

export interface SeededRemote {
  readonly bare: string;
  readonly url: string;
}

/**
 * A bare repository at `<root>/<name>.git` whose `branches` all hold the same tree: `files`
 * manifests, each `fleetManifest(i, referencesOf(i, perFile, images), tag)`.
 */
export async function seedRemote(
  root: string,
  name: string,
  options: {
    readonly files: number;
    readonly perFile: number;
    readonly images: readonly FleetImage[];
    readonly tag: string;
    readonly branches: readonly string[];
  },
): Promise<SeededRemote> {
  const bare = join(root, `${name}.git`);
  await mkdir(root, { recursive: true });
  await git(root, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const when = `${Math.floor(Date.now() / 1000) - 7 * 86_400} +0000`;
  const [first, ...others] = options.branches;
  if (first === undefined) throw new Error('seedRemote needs a branch');
  const chunks: string[] = [];
  const data = (text: string): string => `data ${Buffer.byteLength(text)}\n${text}\n`;
  chunks.push(`commit refs/heads/${first}\nmark :1\n`);
  chunks.push(`author Seed <seed@example.test> ${when}\ncommitter Seed <seed@example.test> ${when}\n`);
  chunks.push(data('seed the fleet'));
  for (let i = 0; i < options.files; i += 1) {
    const text = fleetManifest(i, referencesOf(i, options.perFile, options.images), options.tag);
    chunks.push(`M 100644 inline ${fleetPath(i)}\n${data(text)}`);
  }
  for (const branch of others) chunks.push(`reset refs/heads/${branch}\nfrom :1\n`);
  chunks.push('done\n');
  await streamInto(bare, ['fast-import', '--quiet', '--done'], chunks);
  return { bare, url: pathToFileURL(bare).href };
}

async function streamInto(cwd: string, args: readonly string[], chunks: readonly string[]): Promise<void> {
  const child = spawn('git', [...args], { cwd, env: isolatedGitEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  for (const chunk of chunks) {
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`git ${args[0] ?? ''} failed (${code}): ${stderr}`);
}

/** drawbridge.yaml's `images:` block and one environment's, every image on one policy. */
export function fleetConfigLines(
  images: readonly FleetImage[],
  environment: { readonly name: string; readonly branch: string; readonly policy: string },
): string[] {
  return [
    'images:',
    ...images.map((image) => `  ${image.key}: { repository: ${image.uri} }`),
    'environments:',
    `  ${environment.name}:`,
    `    branch: ${environment.branch}`,
    '    policies:',
    ...images.map((image) => `      ${image.key}: ${environment.policy}`),
  ];
}
