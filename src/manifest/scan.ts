import { realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ManifestError } from '../errors.js';
import { isManifestName, listManifestFiles, type ManifestFile } from './list-files.js';
import { mapInSlices } from '../map-in-slices.js';
import { planFileEdits } from './plan-file.js';
import type { FilePlan } from './plan-file.js';
import { DEFAULT_MAX_FILE_BYTES, readManifest } from './read-manifest.js';
import type { DesiredImage, FileProblem, ManifestPlan, Marker, PlannedEdit, ScanInput } from './types.js';
import type { ManifestWorkers, ScanJob } from './workers.js';

/**
 * Files per message to the workers: large enough to amortise it, small enough to share the
 * work evenly. A scan of fewer files than one batch stays on this thread.
 */
export const SCAN_BATCH = 64;

/** What scanning one file gave. */
export interface FileOutcome {
  readonly scanned: boolean;
  readonly problem?: FileProblem | undefined;
  readonly plan?: FilePlan;
}

/** Every marker under the input's paths, with current values; writes nothing. */
export async function findMarkers(input: ScanInput): Promise<Omit<ManifestPlan, 'edits'>> {
  const { markers, problems, filesScanned } = await scanRepository(input, new Map());
  return { markers, problems, filesScanned };
}

/**
 * The byte-exact edits that bring every marker of an image in `desired` to its new value.
 * Writes nothing; markers of images not in `desired` get no edit.
 */
export async function planEdits(
  input: ScanInput & { readonly desired: ReadonlyMap<string, DesiredImage> },
): Promise<ManifestPlan> {
  return scanRepository(input, input.desired);
}

async function scanRepository(
  input: ScanInput,
  desired: ReadonlyMap<string, DesiredImage>,
): Promise<ManifestPlan> {
  const root = await realpath(input.root).catch((cause: unknown) => {
    throw new ManifestError('the repository folder cannot be opened', {
      context: { file: input.root },
      cause,
    });
  });
  const maxBytes = input.limits?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const job: ScanJob = { desired, knownImages: input.knownImages, maxBytes };
  const local = (files: readonly ManifestFile[]): Promise<FileOutcome[]> =>
    mapInSlices(files, (entry) => scanFile(entry, maxBytes, desired, input.knownImages));
  // With workers, files go to them in batches as they are listed; otherwise all on this thread.
  const early = input.workers ? scanWhileListing(input.workers, job, local) : undefined;
  const listing = input.markedFiles
    ? listKnownFiles(root, input.markedFiles, input.paths ?? [], early?.take)
    : await listManifestFiles(root, input.paths ?? [], early?.take);
  const outcomes = early ? await early.finish(listing.files) : await local(listing.files);
  const markers: Marker[] = [];
  const edits: PlannedEdit[] = [];
  const problems: FileProblem[] = [...listing.problems];
  const fingerprints = new Map<string, string>();
  let filesScanned = 0;
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.scanned) filesScanned += 1;
    if (outcome.problem) problems.push(outcome.problem);
    if (!outcome.plan) continue;
    markers.push(...outcome.plan.markers);
    edits.push(...outcome.plan.edits);
    problems.push(...outcome.plan.problems);
    const { fingerprint } = outcome.plan;
    if (fingerprint !== undefined) fingerprints.set(listing.files[index]!.file, fingerprint);
  }
  return { markers, edits, problems, filesScanned, fingerprints };
}

/**
 * Hands the walk's files to the workers a batch at a time while the walk goes on, so reading
 * and parsing overlap it. `finish` gives the outcomes in the order of the final (sorted)
 * listing; a listing too small for workers to pay off is scanned on this thread instead.
 */
function scanWhileListing(
  workers: ManifestWorkers,
  job: ScanJob,
  local: (files: readonly ManifestFile[]) => Promise<FileOutcome[]>,
): {
  take: (file: ManifestFile) => void;
  finish: (files: readonly ManifestFile[]) => Promise<FileOutcome[]>;
} {
  const started: Promise<readonly (readonly [string, FileOutcome])[]>[] = [];
  let batch: ManifestFile[] = [];
  const send = (): void => {
    const files = batch;
    batch = [];
    started.push(
      workers
        .scan(files, job)
        .then((outcomes) => outcomes.map((outcome, i) => [files[i]!.file, outcome] as const)),
    );
  };
  return {
    take: (file) => {
      batch.push(file);
      if (batch.length === SCAN_BATCH) send();
    },
    finish: async (files) => {
      if (started.length === 0) return local(files);
      if (batch.length > 0) send();
      const byFile = new Map((await Promise.all(started)).flat());
      return files.map((entry) => byFile.get(entry.file)!);
    },
  };
}

/** `scanRepository`'s work on one file (blocking; see readManifest). */
export function scanFile(
  entry: ManifestFile,
  maxBytes: number,
  desired: ReadonlyMap<string, DesiredImage>,
  knownImages: ReadonlySet<string>,
): FileOutcome {
  const read = readManifest(entry, maxBytes);
  if (read.kind === 'skipped') return { scanned: false, problem: read.problem };
  if (read.kind === 'unmarked') return { scanned: true };
  return { scanned: true, plan: planFileEdits(entry.file, read.bytes, desired, knownImages) };
}

/** The walk's result for files the caller already found: manifests by name, or named in paths. */
function listKnownFiles(
  root: string,
  markedFiles: readonly string[],
  paths: readonly string[],
  onFile?: (file: ManifestFile) => void,
): { files: ManifestFile[]; problems: FileProblem[] } {
  const named = new Set(paths.map((path) => path.replace(/^\.\//, '').replace(/\/+$/, '')));
  const files = [...new Set(markedFiles)]
    .filter((file) => isManifestName(basename(file)) || named.has(file))
    .sort()
    .map((file) => ({ file, absolute: join(root, file) }));
  for (const file of files) onFile?.(file);
  return { files, problems: [] };
}
