import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFileEdits } from './apply-file.js';
import { ManifestError, messageOf } from '../errors.js';
import { isInside } from './list-files.js';
import { mapInSlices } from '../map-in-slices.js';
import { DamagedFileError, overwriteFile } from './overwrite.js';
import { readBounded } from './read-manifest.js';
import type { ApplyOutcome, FileProblem, ManifestPlan, PlannedEdit } from './types.js';
import type { ManifestWorkers } from './workers.js';

/** Below this many files, worker threads are not worth their messages: apply on this thread. */
const WORKERS_MIN_FILES = 16;

export type FileApplyOutcome =
  | { readonly ok: true; readonly file: string; readonly edits: readonly PlannedEdit[] }
  | { readonly ok: false; readonly problem: FileProblem; readonly damaged?: true };

/**
 * Splices the plan's edits into the files under `root`, re-verifies each file by parsing it
 * again, and writes it in place (see overwrite.ts). A file that fails is left as it was and
 * reported; the other files are still written. Throws a ManifestError, once every file has
 * been tried, when a file could neither be written nor put back: the tree must then not be
 * committed (drawbridge's worktrees are reset before their next use).
 */
export async function applyPlan(
  root: string,
  plan: ManifestPlan,
  options: { readonly workers?: ManifestWorkers } = {},
): Promise<ApplyOutcome> {
  const realRoot = await realpath(root);
  const byFile = new Map<string, PlannedEdit[]>();
  for (const edit of plan.edits) {
    const list = byFile.get(edit.file);
    if (list) list.push(edit);
    else byFile.set(edit.file, [edit]);
  }
  const outcomes =
    options.workers && byFile.size >= WORKERS_MIN_FILES
      ? await options.workers.apply(
          realRoot,
          [...byFile].map(([file, edits]) => ({ file, edits, fingerprint: plan.fingerprints?.get(file) })),
        )
      : await mapInSlices([...byFile], ([file, edits]) =>
          applyToFile(realRoot, file, edits, plan.fingerprints?.get(file)),
        );
  const changedFiles: string[] = [];
  const applied: PlannedEdit[] = [];
  const problems: FileProblem[] = [];
  const damaged = outcomes.find((outcome) => !outcome.ok && outcome.damaged);
  if (damaged && !damaged.ok) {
    throw new ManifestError(`a file was left half-written: ${damaged.problem.message}`, {
      context: { file: damaged.problem.file },
      hint: 'check the disk holding the work folder (space, errors), then run again',
    });
  }
  for (const outcome of outcomes) {
    if (!outcome.ok) {
      problems.push(outcome.problem);
      continue;
    }
    changedFiles.push(outcome.file);
    applied.push(...outcome.edits);
  }
  return { changedFiles: changedFiles.sort(), applied, problems };
}

/** One file's edits: spliced, verified and written, or its problem. Blocking; see readManifest. */
export function applyToFile(
  root: string,
  file: string,
  edits: readonly PlannedEdit[],
  fingerprint: string | undefined,
): FileApplyOutcome {
  try {
    const path = realpathSync.native(join(root, file));
    if (!isInside(root, path)) return failed(file, 'edit not applied: the file lies outside the repository');
    const bytes = readBounded(path, Number.MAX_SAFE_INTEGER);
    if (!bytes) return failed(file, 'edit not applied: the file cannot be read');
    const result = applyFileEdits(bytes, edits, fingerprint);
    if (!result.ok) return { ok: false, problem: result.problem };
    overwriteFile(path, result.bytes, bytes);
    return applied(file, edits);
  } catch (error) {
    const message = `edit not applied: ${messageOf(error)}`;
    return failed(file, message, error instanceof DamagedFileError);
  }
}

function applied(file: string, edits: readonly PlannedEdit[]): FileApplyOutcome {
  return { ok: true, file, edits: [...edits].sort((a, b) => a.start - b.start) };
}

function failed(file: string, message: string, damaged = false): FileApplyOutcome {
  const problem: FileProblem = { code: 'verify-failed', file, severity: 'error', message };
  return damaged ? { ok: false, problem, damaged } : { ok: false, problem };
}
