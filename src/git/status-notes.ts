/**
 * Deployment statuses recorded in Git (SPEC §11, without a forge): a note per commit on the
 * remote's `refs/notes/drawbridge/statuses`, so any drawbridge process (a daemon, its next
 * replica, a `scan` in CI) reads what the daemon's status endpoint was told, and drawbridge
 * keeps no state of its own. A note never touches a branch: no commit for Flux to apply, no
 * loop of statuses about statuses.
 *
 * The note of a commit holds one JSON object per line, one per context, sorted by context:
 * `{"context":"kustomization/apps","state":"failure","at":"2026-…Z","url":"https://…"}`.
 * Notes are outside data when read back (anyone who can push can write them): each line is
 * checked as a forge's answer is, and a line that fails is skipped.
 *
 * Writing: the note is added on a private ref started at the fetched notes, pushed without
 * force (a fast-forward of the remote's), and on a rejection fetched and built again.
 */
import { rm, writeFile } from 'node:fs/promises';
import { isCheckContext } from '../checks/grammar.js';
import { isWebUrl } from '../checks/web-url.js';
import type { CommitCheck, CommitCheckState } from '../forge.js';
import { identity } from './commit.js';
import { GitProcessError } from './run.js';

/** On the remote. */
export const STATUS_NOTES_REF = 'refs/notes/drawbridge/statuses';
/** The fetched copy (under refs/notes/, where `git notes --ref` looks). */
export const FETCHED_NOTES_REF = 'refs/notes/drawbridge-origin/statuses';
/** Where a new note is built before it is pushed. */
const WRITING_NOTES_REF = 'refs/notes/drawbridge-write/statuses';
/** Fetched beside the branches; a glob, so a remote without notes is no error. */
export const STATUS_NOTES_REFSPEC = '+refs/notes/drawbridge/*:refs/notes/drawbridge-origin/*';

/** At most this many contexts per commit are kept: the newest. */
export const MAX_CONTEXTS = 100;
const MAX_NOTE_BYTES = 64 * 1024;
const STATES: readonly CommitCheckState[] = ['success', 'failure', 'pending'];

type Git = (args: readonly string[], env?: NodeJS.ProcessEnv) => Promise<string>;

/** The checks a note holds; lines that are not a valid check are skipped. */
export function parseNote(text: string): CommitCheck[] {
  if (text.length > MAX_NOTE_BYTES) return [];
  const checks = new Map<string, CommitCheck>();
  for (const line of text.split('\n')) {
    const check = checkOf(line);
    if (check === undefined) continue;
    const known = checks.get(check.context);
    if (known === undefined || known.at < check.at) checks.set(check.context, check);
  }
  return [...checks.values()];
}

export function renderNote(checks: readonly CommitCheck[]): string {
  const lines = [...checks]
    .sort((a, b) => (a.context < b.context ? -1 : a.context > b.context ? 1 : 0))
    .map((check) =>
      JSON.stringify({
        context: check.context,
        state: check.state,
        at: check.at.toISOString(),
        ...(check.url === undefined ? {} : { url: check.url }),
      }),
    );
  return `${lines.join('\n')}\n`;
}

/**
 * The note's checks with `check` taken in: it replaces its context's unless that one is newer.
 * Undefined when nothing changes (the same report again, or an older one).
 */
export function withCheck(checks: readonly CommitCheck[], check: CommitCheck): CommitCheck[] | undefined {
  const known = checks.find((c) => c.context === check.context);
  if (known !== undefined && (known.at > check.at || sameCheck(known, check))) return undefined;
  const next = [...checks.filter((c) => c.context !== check.context), check];
  return next.sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, MAX_CONTEXTS);
}

function sameCheck(a: CommitCheck, b: CommitCheck): boolean {
  return a.state === b.state && a.at.getTime() === b.at.getTime() && a.url === b.url;
}

function checkOf(line: string): CommitCheck | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { context, state, at, url } = value as Record<string, unknown>;
  if (!isCheckContext(context) || !STATES.includes(state as CommitCheckState)) return undefined;
  if (typeof at !== 'string') return undefined;
  const when = new Date(at);
  if (Number.isNaN(when.getTime())) return undefined;
  return {
    context,
    state: state as CommitCheckState,
    at: when,
    ...(isWebUrl(url) ? { url } : {}),
  };
}

/** The checks recorded for `sha` as of the last fetch; none when it has no note. */
export async function recordedChecks(git: Git, sha: string): Promise<CommitCheck[]> {
  try {
    return parseNote(await git(['notes', `--ref=${FETCHED_NOTES_REF}`, 'show', sha]));
  } catch (error) {
    if (error instanceof GitProcessError && /no note found/i.test(error.stderr)) return [];
    throw error;
  }
}

/** Whether the clone holds commit `sha`. */
export async function hasCommit(git: Git, sha: string): Promise<boolean> {
  try {
    await git(['cat-file', '-e', `${sha}^{commit}`]);
    return true;
  } catch (error) {
    if (error instanceof GitProcessError) return false;
    throw error;
  }
}

export interface NoteWriter {
  readonly git: Git;
  /** A scratch file for the note's text, outside any worktree. */
  readonly scratchFile: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly now: () => Date;
  /** Fetches the remote's notes again (after a rejected push). */
  readonly refetch: () => Promise<void>;
  /** Waits between attempts; default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface StatusReport {
  readonly sha: string;
  readonly check: CommitCheck;
}

/** Pushes lost to another writer are tried again, after a growing, jittered wait. */
const PUSH_ATTEMPTS = 8;
const BACKOFF_MS = 100;
const REJECTED =
  /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|failed to update ref|cannot lock ref/i;

/**
 * Takes every report into the notes of its commit on the remote, in one notes commit and one
 * push, never forced; answers the commits whose note changed (none: all were known already).
 */
export async function recordChecks(
  writer: NoteWriter,
  reports: readonly StatusReport[],
): Promise<Set<string>> {
  const { git } = writer;
  const bySha = new Map<string, CommitCheck[]>();
  for (const { sha, check } of reports) bySha.set(sha, [...(bySha.get(sha) ?? []), check]);
  const sleep = writer.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = writer.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    const base = await git(['rev-parse', '--verify', '--quiet', FETCHED_NOTES_REF]).then(
      (out) => out.trim(),
      () => undefined,
    );
    if (base === undefined) await git(['update-ref', '-d', WRITING_NOTES_REF]);
    else await git(['update-ref', WRITING_NOTES_REF, base]);
    const changed = new Set<string>();
    for (const [sha, checks] of bySha) {
      let note = await recordedChecks(git, sha);
      let moved = false;
      for (const check of checks) {
        const next = withCheck(note, check);
        if (next === undefined) continue;
        note = next;
        moved = true;
      }
      if (!moved) continue;
      await writeFile(writer.scratchFile, renderNote(note));
      try {
        await git(
          [
            '-c',
            'core.hooksPath=/dev/null',
            'notes',
            `--ref=${WRITING_NOTES_REF}`,
            'add',
            '-f',
            '-F',
            writer.scratchFile,
            sha,
          ],
          identity(writer.author, writer.now()),
        );
      } finally {
        await rm(writer.scratchFile, { force: true });
      }
      changed.add(sha);
    }
    if (changed.size === 0) return changed;
    const written = (await git(['rev-parse', '--verify', WRITING_NOTES_REF])).trim();
    try {
      await git(['push', '--porcelain', '--no-verify', 'origin', `${written}:${STATUS_NOTES_REF}`]);
      await git(['update-ref', FETCHED_NOTES_REF, written]);
      return changed;
    } catch (error) {
      const rejected = error instanceof GitProcessError && REJECTED.test(`${error.stdout}\n${error.stderr}`);
      if (!rejected || attempt >= PUSH_ATTEMPTS) throw error;
      await sleep(BACKOFF_MS * attempt * (0.5 + random()));
      await writer.refetch();
    }
  }
}
