/**
 * Plans that change nothing, remembered per environment. A plan depends only on the files at
 * the branch head (a commit's content never changes), the paths, the desired images and the
 * configured image names, which together make its key; a pass with the same key reuses the
 * plan instead of reading and parsing every marked file again.
 *
 * `memoryPlanMemo` lives as long as the reconciler (a daemon's passes). `filePlanMemo` also
 * keeps the entries in a file beside the repository's clone, so the next `drawbridge scan`
 * process (a CI job on a schedule) starts with them. The file is drawbridge's own cache:
 * read once, checked field by field, and ignored whole when anything in it is off (another
 * drawbridge version, a different format, a damaged write); it is rewritten only when an
 * entry's key changes, by a rename, so a reader never sees half of it.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../log/logger.js';
import type { FileProblem, ManifestPlan, Marker } from '../manifest/types.js';

export interface PlanMemoEntry {
  readonly key: string;
  readonly plan: ManifestPlan;
}

export interface PlanMemo {
  get(environment: string): PlanMemoEntry | undefined;
  set(environment: string, entry: PlanMemoEntry): void;
  delete(environment: string): void;
}

export function memoryPlanMemo(): PlanMemo {
  return new Map<string, PlanMemoEntry>();
}

const FORMAT = 1;

interface StoredEntry {
  readonly key: string;
  readonly markers: readonly Marker[];
  readonly problems: readonly FileProblem[];
  readonly filesScanned: number;
}

export interface FilePlanMemoOptions {
  readonly file: string;
  /** Written into the file and required on reading: the drawbridge version. */
  readonly stamp: string;
  readonly logger: Logger;
}

export function filePlanMemo(options: FilePlanMemoOptions): PlanMemo {
  const { file, stamp, logger } = options;
  let entries: Map<string, PlanMemoEntry> | undefined;
  const load = (): Map<string, PlanMemoEntry> => {
    if (entries !== undefined) return entries;
    entries = new Map();
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return entries; // none yet
    }
    const read = parseStored(text, stamp);
    if (read === undefined) {
      logger.debug({ file }, 'plan memo ignored: not written by this drawbridge or damaged');
      return entries;
    }
    for (const [environment, stored] of read) {
      entries.set(environment, {
        key: stored.key,
        plan: {
          markers: stored.markers,
          edits: [],
          problems: stored.problems,
          filesScanned: stored.filesScanned,
        },
      });
    }
    return entries;
  };
  const save = (): void => {
    const all = load();
    const stored: Record<string, StoredEntry> = {};
    for (const [environment, { key, plan }] of all) {
      stored[environment] = {
        key,
        markers: plan.markers,
        problems: plan.problems,
        filesScanned: plan.filesScanned,
      };
    }
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify({ format: FORMAT, stamp, entries: stored }));
      renameSync(temporary, file);
    } catch (error) {
      // A cache: the next process plans again.
      logger.warn({ file, error: String(error) }, 'plan memo not written');
    }
  };
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

/** The stored entries, or undefined when the text is not exactly what this version writes. */
function parseStored(text: string, stamp: string): Map<string, StoredEntry> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value['format'] !== FORMAT || value['stamp'] !== stamp) return undefined;
  const raw = value['entries'];
  if (!isRecord(raw)) return undefined;
  const out = new Map<string, StoredEntry>();
  for (const [environment, entry] of Object.entries(raw)) {
    if (!isRecord(entry)) return undefined;
    const { key, markers, problems, filesScanned } = entry;
    if (typeof key !== 'string' || typeof filesScanned !== 'number') return undefined;
    if (!Array.isArray(markers) || !markers.every(isMarker)) return undefined;
    if (!Array.isArray(problems) || !problems.every(isProblem)) return undefined;
    out.set(environment, { key, markers, problems, filesScanned });
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string';
const optionalNumber = (value: unknown): boolean => value === undefined || typeof value === 'number';

function isMarker(value: unknown): value is Marker {
  if (!isRecord(value)) return false;
  return (
    typeof value['imageKey'] === 'string' &&
    (value['field'] === 'tag' ||
      value['field'] === 'name' ||
      value['field'] === 'image' ||
      value['field'] === 'digest') &&
    typeof value['file'] === 'string' &&
    typeof value['line'] === 'number' &&
    typeof value['column'] === 'number' &&
    typeof value['value'] === 'string' &&
    optionalString(value['namespace']) &&
    optionalString(value['documentKind']) &&
    optionalString(value['documentName'])
  );
}

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
