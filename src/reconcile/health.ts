/**
 * `promote.healthy` (SPEC §11): a tag counts as live in the source environment only from the
 * moment every named context reported success for the source commit that brought it. The
 * commit that brought it decides first; while it is still live, the branch head decides a
 * context the commit never got (Flux and Argo CD report on the revision they apply, and skip
 * a commit that was replaced before they got to it). A failure refuses the tag; a context
 * pending or not reported yet makes it wait.
 *
 * Tags are read newest first and reading stops at the first tag that is healthy and has
 * soaked for `after`: no older tag can outrank it, so their statuses are not asked for.
 */
import type { CommitCheck } from '../forge.js';
import type { HealthVerdict, LiveInterval } from '../policy/types.js';

/** Tags whose statuses are read per image and pass, newest first. */
export const MAX_TAGS_CHECKED = 10;

export interface HealthGateInput {
  /** Tag → intervals live in the source (live-intervals.ts). */
  readonly liveIn: ReadonlyMap<string, readonly LiveInterval[]>;
  readonly contexts: readonly string[];
  readonly afterMs: number;
  readonly now: Date;
  /** The checks of a commit of the source repository (cached by the caller per pass). */
  readonly checksOf: (sha: string) => Promise<readonly CommitCheck[]>;
}

export interface HealthGate {
  /** A healthy tag: its latest interval, counting from its health; other tags keep theirs (and a verdict). */
  readonly liveIn: Map<string, LiveInterval[]>;
  readonly health: Map<string, HealthVerdict>;
}

export async function gateByHealth(input: HealthGateInput): Promise<HealthGate> {
  const latest = [...input.liveIn]
    .map(([tag, intervals]) => ({ tag, interval: newest(intervals) }))
    .filter((entry): entry is { tag: string; interval: LiveInterval } => entry.interval !== undefined)
    .sort((a, b) => b.interval.since.getTime() - a.interval.since.getTime());
  const liveIn = new Map([...input.liveIn].map(([tag, intervals]) => [tag, [...intervals]]));
  const health = new Map<string, HealthVerdict>();
  let settled = false;
  for (const [index, { tag, interval }] of latest.entries()) {
    if (settled || index >= MAX_TAGS_CHECKED) {
      health.set(tag, { state: 'unchecked' });
      continue;
    }
    const verdict = await verdictOf(interval, input);
    health.set(tag, verdict);
    if (verdict.state !== 'healthy' || verdict.at === undefined) continue;
    const since = new Date(Math.max(interval.since.getTime(), verdict.at.getTime()));
    liveIn.set(tag, [{ ...interval, since }]);
    const until = interval.until?.getTime() ?? input.now.getTime();
    if (until - since.getTime() >= input.afterMs) settled = true;
  }
  return { liveIn, health };
}

function newest(intervals: readonly LiveInterval[]): LiveInterval | undefined {
  let best: LiveInterval | undefined;
  for (const interval of intervals) if (!best || interval.since > best.since) best = interval;
  return best;
}

/** A context names a status by its name, or by a prefix of `/`-separated parts (Flux appends an id). */
export function checkMatches(check: CommitCheck, context: string): boolean {
  return check.context === context || check.context.startsWith(`${context}/`);
}

async function verdictOf(interval: LiveInterval, input: HealthGateInput): Promise<HealthVerdict> {
  const commits = [interval.commit, interval.head].filter(
    (sha, index, all): sha is string => sha !== undefined && all.indexOf(sha) === index,
  );
  if (commits.length === 0) return { state: 'waiting', reported: 'missing' };
  const checks = await Promise.all(commits.map((sha) => input.checksOf(sha)));
  let healthyAt: HealthVerdict | undefined;
  let waiting: HealthVerdict | undefined;
  for (const context of input.contexts) {
    const decided = decide(context, commits, checks);
    if (decided.state === 'failed') return decided;
    if (decided.state === 'waiting') waiting ??= decided;
    else if (healthyAt === undefined || (decided.at ?? 0) > (healthyAt.at ?? 0)) healthyAt = decided;
  }
  return waiting ?? healthyAt ?? { state: 'waiting', reported: 'missing' };
}

/** The first commit with a final report (success or failure) for the context decides. */
function decide(
  context: string,
  commits: readonly string[],
  checks: readonly (readonly CommitCheck[])[],
): HealthVerdict {
  let pending: HealthVerdict | undefined;
  for (const [index, commit] of commits.entries()) {
    const found = latestOf(checks[index] ?? [], context);
    if (found === undefined) continue;
    const base = { commit, context: found.context, at: found.at };
    if (found.state === 'success') return { state: 'healthy', reported: 'success', ...base };
    if (found.state === 'failure') return { state: 'failed', reported: 'failure', ...base };
    pending ??= { state: 'waiting', reported: 'pending', ...base };
  }
  return (
    pending ?? {
      state: 'waiting',
      reported: 'missing',
      context,
      ...(commits[0] ? { commit: commits[0] } : {}),
    }
  );
}

/** Of the checks a context names (several, with Flux's suffixes), a failure first, else the latest. */
function latestOf(checks: readonly CommitCheck[], context: string): CommitCheck | undefined {
  const named = checks.filter((check) => checkMatches(check, context));
  const failed = named.find((check) => check.state === 'failure');
  if (failed !== undefined) return failed;
  if (named.some((check) => check.state === 'pending'))
    return named.find((check) => check.state === 'pending');
  let latest: CommitCheck | undefined;
  for (const check of named) if (!latest || check.at > latest.at) latest = check;
  return latest;
}
