/**
 * Branch histories remembered per environment. What `readHistory` makes of a branch depends
 * only on the head commit (commits never change), the depth read and the environment, which
 * make its key; a pass at the same head reuses it instead of running `git log` and `git show`
 * again. One entry per environment: a new head replaces the old one.
 *
 * `memoryHistoryMemo` lives as long as the reconciler (a daemon's passes); `fileHistoryMemo`
 * also keeps the entries in a file beside the repository's clone (see memo-file.ts), so the
 * next `drawbridge scan` process starts with them.
 */
import { isRecord } from '../checks/record.js';
import { readMemoFile, writeMemoFile, type MemoFileOptions } from '../memo-file.js';
import type { BranchHistory, Hold, RefusedCommit, RevertedValues } from './history.js';

export interface HistoryMemo {
  get(environment: string, key: string): BranchHistory | undefined;
  set(environment: string, key: string, history: BranchHistory): void;
}

export function historyKey(head: string, depth: number): string {
  return `${head} ${depth}`;
}

export function memoryHistoryMemo(): HistoryMemo {
  const entries = new Map<string, { key: string; history: BranchHistory }>();
  return {
    get: (environment, key) => {
      const entry = entries.get(environment);
      return entry?.key === key ? entry.history : undefined;
    },
    set: (environment, key, history) => void entries.set(environment, { key, history }),
  };
}

const FORMAT = 1;

/** The stored form: Maps and Sets as arrays, times as epoch milliseconds. */
interface StoredHistory {
  readonly key: string;
  readonly reverted: readonly (readonly [string, readonly string[], readonly string[]])[];
  readonly holds: readonly (readonly [string, string | null, string, number, string])[];
  readonly lastUpdates: readonly (readonly [string, string, string, number])[];
  readonly refused: readonly RefusedCommit[];
  readonly revertedCommits: readonly string[];
}

export function fileHistoryMemo(options: Omit<MemoFileOptions, 'what'>): HistoryMemo {
  const file = { ...options, what: 'history memo' };
  let entries: Map<string, { key: string; history: BranchHistory }> | undefined;
  const load = (): Map<string, { key: string; history: BranchHistory }> => {
    if (entries !== undefined) return entries;
    entries = new Map();
    for (const [environment, stored] of Object.entries(readMemoFile(file, FORMAT) ?? {})) {
      const history = fromStored(stored);
      if (history === undefined) {
        entries.clear();
        break;
      }
      entries.set(environment, history);
    }
    return entries;
  };
  return {
    get: (environment, key) => {
      const entry = load().get(environment);
      return entry?.key === key ? entry.history : undefined;
    },
    set: (environment, key, history) => {
      const all = load();
      if (all.get(environment)?.key === key) return;
      all.set(environment, { key, history });
      const stored: Record<string, StoredHistory> = {};
      for (const [name, entry] of all) stored[name] = toStored(entry.key, entry.history);
      writeMemoFile(file, FORMAT, stored);
    },
  };
}

function toStored(key: string, history: BranchHistory): StoredHistory {
  return {
    key,
    reverted: [...history.reverted].map(([image, values]) => [image, [...values.tags], [...values.digests]]),
    holds: [...history.holds.values()].map((hold) => [
      hold.image,
      hold.reason ?? null,
      hold.by,
      hold.at.getTime(),
      hold.commit,
    ]),
    lastUpdates: [...history.lastUpdates].map(([image, update]) => [
      image,
      update.tag,
      update.commit,
      update.at.getTime(),
    ]),
    refused: history.refused ?? [],
    revertedCommits: [...(history.revertedCommits ?? [])],
  };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The history an entry holds, or undefined when any field is not what toStored writes. */
function fromStored(value: unknown): { key: string; history: BranchHistory } | undefined {
  if (!isRecord(value)) return undefined;
  const { key, reverted, holds, lastUpdates, refused, revertedCommits } = value;
  if (!isString(key) || !Array.isArray(reverted) || !Array.isArray(holds)) return undefined;
  if (!isStrings(revertedCommits)) return undefined;
  if (!Array.isArray(lastUpdates) || !Array.isArray(refused)) return undefined;
  const revertedOut = new Map<string, RevertedValues>();
  for (const entry of reverted as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 3) return undefined;
    const [image, tags, digests] = entry as unknown[];
    if (!isString(image) || !isStrings(tags) || !isStrings(digests)) return undefined;
    revertedOut.set(image, { tags: new Set(tags), digests: new Set(digests) });
  }
  const holdsOut = new Map<string, Hold>();
  for (const entry of holds as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 5) return undefined;
    const [image, reason, by, at, commit] = entry as unknown[];
    if (!isString(image) || !(reason === null || isString(reason)) || !isString(by)) return undefined;
    if (!isTime(at) || !isString(commit)) return undefined;
    holdsOut.set(image, { image, ...(reason === null ? {} : { reason }), by, at: new Date(at), commit });
  }
  const updatesOut = new Map<string, { tag: string; commit: string; at: Date }>();
  for (const entry of lastUpdates as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 4) return undefined;
    const [image, tag, commit, at] = entry as unknown[];
    if (!isString(image) || !isString(tag) || !isString(commit) || !isTime(at)) return undefined;
    updatesOut.set(image, { tag, commit, at: new Date(at) });
  }
  const refusedOut: RefusedCommit[] = [];
  for (const entry of refused as unknown[]) {
    if (!isRecord(entry) || !isString(entry['commit']) || !isStrings(entry['reasons'])) return undefined;
    refusedOut.push({ commit: entry['commit'], reasons: entry['reasons'] });
  }
  return {
    key,
    history: {
      reverted: revertedOut,
      holds: holdsOut,
      lastUpdates: updatesOut,
      ...(refusedOut.length > 0 ? { refused: refusedOut } : {}),
      ...(revertedCommits.length > 0 ? { revertedCommits: new Set(revertedCommits) } : {}),
    },
  };
}
