import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { mapBounded } from '../map-bounded.js';
import type { FileProblem } from './types.js';

export interface ManifestFile {
  /** Real path relative to the repository root, POSIX separators: the file an edit changes. */
  readonly file: string;
  readonly absolute: string;
}

const MANIFEST_NAME = /(\.ya?ml|^Kustomization)$/;

export function isManifestName(name: string): boolean {
  return MANIFEST_NAME.test(name);
}

/** `child` is `parent` or lies under it (both real, absolute paths). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

interface Walk {
  readonly root: string;
  readonly seenDirs: Set<string>;
  readonly files: Map<string, ManifestFile>;
  readonly problems: FileProblem[];
  readonly onFile: ((file: ManifestFile) => void) | undefined;
}

const DIRECTORY_CONCURRENCY = 8;

/**
 * Lists `*.yaml`, `*.yml` and `Kustomization` files under `paths` of the real `root`, sorted.
 * Skips `.git`; follows a symlink only when its real target stays inside the root; visits each
 * real directory and file once, so links cannot loop or produce a file twice. `onFile` hears
 * of each file as the walk finds it, so work on it can start before the walk ends.
 */
export async function listManifestFiles(
  root: string,
  paths: readonly string[],
  onFile?: (file: ManifestFile) => void,
): Promise<{ files: ManifestFile[]; problems: FileProblem[] }> {
  const walk: Walk = { root, seenDirs: new Set(), files: new Map(), problems: [], onFile };
  let level: string[] = [];
  for (const path of paths.length === 0 ? ['.'] : paths) {
    const shown = toPosix(path);
    if (isAbsolute(path) || !isInside(root, join(root, path))) {
      walk.problems.push({
        file: shown,
        severity: 'error',
        message: 'environment path leaves the repository',
      });
      continue;
    }
    const dir = await resolveLink(walk, join(root, path), shown, true);
    if (dir !== undefined) level.push(dir);
  }
  while (level.length > 0) {
    const found = await mapBounded(level, DIRECTORY_CONCURRENCY, (dir) => readDirectory(walk, dir));
    level = found.flat();
  }
  const files = [...walk.files.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, problems: walk.problems };
}

/** Follows `path` to its real target; adds it when it is a manifest, returns it when it is a new directory. */
async function resolveLink(
  walk: Walk,
  path: string,
  shown: string,
  explicit: boolean,
): Promise<string | undefined> {
  const target = await realpath(path).catch(() => undefined);
  if (target === undefined) {
    if (explicit)
      walk.problems.push({ file: shown, severity: 'warning', message: 'environment path does not exist' });
    else if (isManifestName(basename(path))) {
      walk.problems.push({ file: shown, severity: 'warning', message: 'broken symlink skipped' });
    }
    return undefined;
  }
  if (!isInside(walk.root, target)) {
    walk.problems.push({
      file: shown,
      severity: 'warning',
      message: 'symlink leads outside the repository; not followed',
    });
    return undefined;
  }
  const info = await stat(target).catch(() => undefined);
  if (info?.isDirectory()) return claimDirectory(walk, target);
  if (info?.isFile() && (explicit || isManifestName(basename(path)))) addFile(walk, target);
  return undefined;
}

/** Adds the manifests of one real directory; returns its subdirectories not seen yet. */
async function readDirectory(walk: Walk, realDir: string): Promise<string[]> {
  const entries = await readdir(realDir, { withFileTypes: true }).catch(() => []);
  const subdirectories: string[] = [];
  const links: string[] = [];
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const path = join(realDir, entry.name);
    if (entry.isDirectory()) {
      const dir = claimDirectory(walk, path);
      if (dir !== undefined) subdirectories.push(dir);
    } else if (entry.isFile()) {
      if (isManifestName(entry.name)) addFile(walk, path);
    } else if (entry.isSymbolicLink()) {
      links.push(path);
    }
  }
  for (const link of links) {
    const dir = await resolveLink(walk, link, toPosix(relative(walk.root, link)), false);
    if (dir !== undefined) subdirectories.push(dir);
  }
  return subdirectories;
}

function claimDirectory(walk: Walk, realDir: string): string | undefined {
  if (walk.seenDirs.has(realDir)) return undefined;
  walk.seenDirs.add(realDir);
  return realDir;
}

function addFile(walk: Walk, realFile: string): void {
  const file = toPosix(relative(walk.root, realFile));
  if (walk.files.has(file)) return;
  const entry = { file, absolute: realFile };
  walk.files.set(file, entry);
  walk.onFile?.(entry);
}
