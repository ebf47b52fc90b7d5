/**
 * Promotion reads since when each tag has been live in the source environment: the commit
 * times at which the marked values changed on the branch's first-parent history (drawbridge
 * commits, manual edits and merged pull requests alike). The walk starts from the values at
 * the head (`git grep`) and undoes each commit's `+`/`-` marker lines going back in time, so
 * a value introduced beyond the history depth still counts as live since the oldest commit read.
 */
import type { Logger } from '../log/logger.js';
import type { LiveInterval } from '../policy/types.js';
import { markedTag } from './marker-line.js';
import { GitProcessError } from './run.js';
import type { Workspace } from './workspace.js';

export interface LiveIntervalOptions {
  /** The source environment's paths (default the whole branch). */
  readonly paths?: readonly string[];
  /** First-parent commits touching the paths, newest first. */
  readonly depth: number;
  readonly now: Date;
  readonly logger?: Logger;
}

type Counts = Map<string, Map<string, number>>;
export type LiveIntervals = ReadonlyMap<string, ReadonlyMap<string, LiveInterval[]>>;

const MARKER = '$imagepolicy';

export async function readLiveIntervals(
  workspace: Workspace,
  branch: string,
  options: LiveIntervalOptions,
): Promise<LiveIntervals> {
  const result = new Map<string, Map<string, LiveInterval[]>>();
  const head = await workspace.remoteHead(branch);
  if (head === undefined) return result;
  const ref = `refs/remotes/origin/${branch}`;
  const pathspec = ['--', ...(options.paths?.length ? options.paths : [])];

  const grep = await workspace
    .git(['grep', '-z', '-I', '--no-color', '-F', '-e', MARKER, ref, ...pathspec])
    .catch((error: unknown) => {
      if (error instanceof GitProcessError && error.exitCode === 1) return '';
      throw error;
    });
  const live: Counts = new Map();
  for (const hit of grep.split('\n')) add(live, hit.slice(hit.indexOf('\0') + 1), 1);

  const log = await workspace.git([
    'log',
    '--first-parent',
    `--max-count=${options.depth}`,
    '-p',
    '-U0',
    '--no-color',
    '--no-ext-diff',
    '--no-textconv',
    '--no-renames',
    '--format=%x1e%H %ct',
    ref,
    ...pathspec,
  ]);

  // tag → until (undefined: live at the head) for intervals whose start is not found yet.
  const open = new Map<string, Map<string, Date | undefined>>();
  for (const [image, tags] of live) {
    for (const [tag, count] of tags) if (count > 0) ensure(open, image).set(tag, undefined);
  }
  let oldest: Date | undefined;
  let oldestCommit: string | undefined;
  for (const record of log.split('\x1e')) {
    const newline = record.indexOf('\n');
    const header = newline < 0 ? record : record.slice(0, newline);
    const [sha, seconds] = header.trim().split(' ');
    if (sha === undefined || seconds === undefined) continue;
    const at = new Date(Number(seconds) * 1000);
    oldest = at;
    oldestCommit = sha;
    const delta: Counts = new Map();
    for (const line of record.slice(newline + 1).split('\n')) {
      if (!line.includes(MARKER) || line.startsWith('+++') || line.startsWith('---')) continue;
      if (line.startsWith('+')) add(delta, line.slice(1), 1);
      else if (line.startsWith('-')) add(delta, line.slice(1), -1);
    }
    for (const [image, tags] of delta) {
      for (const [tag, change] of tags) {
        const after = live.get(image)?.get(tag) ?? 0;
        const before = Math.max(0, after - change);
        ensure(live, image).set(tag, before);
        const pending = open.get(image);
        if (after > 0 && before === 0 && pending?.has(tag)) {
          push(result, image, tag, { since: at, commit: sha, ...until(pending.get(tag), head) });
          pending.delete(tag);
        } else if (after === 0 && before > 0) {
          ensure(open, image).set(tag, at);
        }
      }
    }
  }

  const seededAt = oldest ?? options.now;
  for (const [image, tags] of open) {
    for (const [tag, end] of tags) {
      push(result, image, tag, {
        since: seededAt,
        ...until(end, head),
        truncated: true,
        commit: oldestCommit ?? head,
      });
      options.logger?.debug({ branch, image, tag, since: seededAt }, 'live since before the history read');
    }
  }
  for (const tags of result.values()) {
    for (const intervals of tags.values()) intervals.sort((a, b) => a.since.getTime() - b.since.getTime());
  }
  return result;
}

function add(counts: Counts, line: string, by: number): void {
  if (!line.includes(MARKER)) return;
  const marked = markedTag(line);
  if (marked === undefined) return;
  const tags = ensure(counts, marked.imageKey);
  tags.set(marked.tag, (tags.get(marked.tag) ?? 0) + by);
}

function ensure<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (inner === undefined) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

function push(
  result: Map<string, Map<string, LiveInterval[]>>,
  image: string,
  tag: string,
  interval: LiveInterval,
): void {
  const tags = ensure(result, image);
  tags.set(tag, [...(tags.get(tag) ?? []), interval]);
}

/** Its end, or, while it is still live, the head commit that deploys it too. */
function until(end: Date | undefined, head: string): { until?: Date; head?: string } {
  return end === undefined ? { head } : { until: end };
}
