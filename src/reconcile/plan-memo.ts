/**
 * Plans that change nothing, remembered per environment. A plan depends only on the files at
 * the branch head (a commit's content never changes), the paths, the desired images and the
 * configured image names, which together make its key; a pass with the same key reuses the
 * plan instead of reading and parsing every marked file again. Of a plan without edits a pass
 * needs only what it reports: the tags each image runs, the files' problems and the count of
 * files read, so that is what an entry keeps (a few bytes per image, not every reference).
 *
 * `memoryPlanMemo` lives as long as the reconciler (a daemon's passes). `filePlanMemo` also
 * keeps the entries in a file beside the repository's clone, so the next `drawbridge scan`
 * process (a CI job on a schedule) starts with them. The file is drawbridge's own cache:
 * read once, checked field by field, and ignored whole when anything in it is off (another
 * drawbridge version, a different format, a damaged write); it is rewritten only when an
 * entry's key changes, by a rename, so a reader never sees half of it.
 */
import { isRecord } from '../checks/record.js';
import { readMemoFile, writeMemoFile, type MemoFileOptions } from '../memo-file.js';
import type { FileProblem } from '../manifest/types.js';

export interface PlanMemoEntry {
  readonly key: string;
  /** Per image key of the plan's desired images: the tags (or digests) its references hold. */
  readonly current: Readonly<Record<string, readonly string[]>>;
  readonly problems: readonly FileProblem[];
  readonly filesScanned: number;
}

export interface PlanMemo {
  get(environment: string): PlanMemoEntry | undefined;
  set(environment: string, entry: PlanMemoEntry): void;
  delete(environment: string): void;
}

export function memoryPlanMemo(): PlanMemo {
  return new Map<string, PlanMemoEntry>();
}

const FORMAT = 2;

export function filePlanMemo(options: Omit<MemoFileOptions, 'what'>): PlanMemo {
  const file = { ...options, what: 'plan memo' };
  let entries: Map<string, PlanMemoEntry> | undefined;
  const load = (): Map<string, PlanMemoEntry> => (entries ??= parseStored(readMemoFile(file, FORMAT)));
  const save = (): void => writeMemoFile(file, FORMAT, Object.fromEntries(load()));
  return {
    get: (environment) => load().get(environment),
    set(environment, entry) {
      const all = load();
      if (all.get(environment)?.key === entry.key) return;
      all.set(environment, entry);
      save();
    },
    delete(environment) {
      if (load().delete(environment)) save();
    },
  };
}

/** The stored entries; none when any of them is not exactly what this version writes. */
function parseStored(raw: Record<string, unknown> | undefined): Map<string, PlanMemoEntry> {
  const out = new Map<string, PlanMemoEntry>();
  if (raw === undefined) return out;
  for (const [environment, entry] of Object.entries(raw)) {
    if (!isRecord(entry)) return new Map();
    const { key, current, problems, filesScanned } = entry;
    if (typeof key !== 'string' || typeof filesScanned !== 'number') return new Map();
    if (!isRecord(current) || !Object.values(current).every(isStrings)) return new Map();
    if (!Array.isArray(problems) || !problems.every(isProblem)) return new Map();
    out.set(environment, {
      key,
      current: current as Record<string, readonly string[]>,
      problems,
      filesScanned,
    });
  }
  return out;
}

const isStrings = (value: unknown): boolean =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const optionalNumber = (value: unknown): boolean => value === undefined || typeof value === 'number';

function isProblem(value: unknown): value is FileProblem {
  if (!isRecord(value)) return false;
  return (
    typeof value['file'] === 'string' &&
    typeof value['message'] === 'string' &&
    (value['severity'] === 'error' || value['severity'] === 'warning') &&
    optionalString(value['code']) &&
    optionalNumber(value['line']) &&
    optionalNumber(value['column'])
  );
}
