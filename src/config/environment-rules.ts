/**
 * Rules between environments: promotions must not form a cycle, and two environments must
 * not write the same files of the same branch of one repository (each would undo the
 * other's commits). Environments of different repositories may share a branch name.
 */
import type { PathIssue, PathSegment } from './issues.js';
import { entriesOf, isMapping } from './raw.js';
import { DEFAULT_REPOSITORY } from './repositories.js';

/** `push.branch` with `{env}` filled in (`{image}` stays: each image fills it in later). */
export function renderPushBranch(template: string, environment: string): string {
  return template.replaceAll('{env}', environment);
}

/** The branch an environment's commits land on: `push.branch` (rendered) when set, else `branch`. */
export function writtenBranch(
  name: string,
  environment: { branch: string; push?: { branch: string } | undefined },
): string {
  return environment.push ? renderPushBranch(environment.push.branch, name) : environment.branch;
}

/** `./clusters/prod/` → `clusters/prod`; `.` and `` → `` (the whole tree). */
export function normalizeRepoPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  return parts.join('/');
}

/** Whether two repository paths share files: equal, or one contains the other. `` is everything. */
export function pathsOverlap(a: string, b: string): boolean {
  const left = normalizeRepoPath(a);
  const right = normalizeRepoPath(b);
  if (left === '' || right === '' || left === right) return true;
  return left.startsWith(`${right}/`) || right.startsWith(`${left}/`);
}

/** One issue per promotion cycle, at the `promote.from` of the cycle's first environment. */
export function promotionCycleRules(environments: unknown): PathIssue[] {
  // For each environment: its policies' `promote.from` targets that name another environment.
  const edges = new Map<string, { from: string; image: string }[]>();
  const names = entriesOf(environments).map(([name]) => name);
  for (const [name, environment] of entriesOf(environments)) {
    const list: { from: string; image: string }[] = [];
    for (const [image, policy] of entriesOf(isMapping(environment) ? environment['policies'] : undefined)) {
      const promote = isMapping(policy) ? policy['promote'] : undefined;
      const from = isMapping(promote) ? promote['from'] : undefined;
      if (typeof from === 'string' && from !== name && names.includes(from)) list.push({ from, image });
    }
    edges.set(name, list);
  }
  const issues: PathIssue[] = [];
  const reported = new Set<string>();
  for (const start of names) {
    for (const cycle of cyclesThrough(start, edges)) {
      const key = [...new Set(cycle)].sort().join('\u0000');
      if (reported.has(key)) continue;
      reported.add(key);
      const next = cycle[1] ?? start;
      const image = edges.get(start)?.find((edge) => edge.from === next)?.image ?? '';
      // `cycle` follows `from` links; people read promotions in the direction tags flow.
      const flow = [...cycle].reverse();
      issues.push({
        path: ['environments', start, 'policies', image, 'promote', 'from'],
        message: `promotion cycle: ${flow.join(' → ')}`,
        hint: 'each environment promotes from the one before it; one of them must choose tags itself (semver, order or newest)',
      });
    }
  }
  return issues;
}

/** Cycles of `from` links starting and ending at `start`, e.g. [prod, staging, prod]. */
function cyclesThrough(start: string, edges: ReadonlyMap<string, readonly { from: string }[]>): string[][] {
  const cycles: string[][] = [];
  const walk = (node: string, trail: string[]): void => {
    for (const { from } of edges.get(node) ?? []) {
      if (from === start) cycles.push([...trail, start]);
      else if (!trail.includes(from)) walk(from, [...trail, from]);
    }
  };
  walk(start, [start]);
  return cycles;
}

interface Writer {
  readonly name: string;
  readonly repository: string;
  readonly branch: string;
  readonly paths: readonly { readonly path: string; readonly at: PathSegment[] }[];
}

/** Two environments writing the same branch of one repository with overlapping paths; reported at the later one. */
export function branchOverlapRules(environments: unknown): PathIssue[] {
  const writers: Writer[] = [];
  for (const [name, environment] of entriesOf(environments)) {
    if (!isMapping(environment)) continue;
    const push = environment['push'];
    const pushBranch =
      isMapping(push) && typeof push['branch'] === 'string'
        ? renderPushBranch(push['branch'], name)
        : undefined;
    const branch = pushBranch ?? environment['branch'];
    if (typeof branch !== 'string') continue;
    const base: PathSegment[] = ['environments', name];
    const branchPath = pushBranch === undefined ? [...base, 'branch'] : [...base, 'push', 'branch'];
    const rawPaths = environment['paths'];
    const paths = Array.isArray(rawPaths)
      ? rawPaths.flatMap((path, index) =>
          typeof path === 'string' ? [{ path, at: [...base, 'paths', index] }] : [],
        )
      : [{ path: '', at: branchPath }];
    const repository =
      typeof environment['repository'] === 'string' ? environment['repository'] : DEFAULT_REPOSITORY;
    writers.push({ name, repository, branch, paths });
  }
  const issues: PathIssue[] = [];
  for (const [index, later] of writers.entries()) {
    for (const earlier of writers.slice(0, index)) {
      if (earlier.branch !== later.branch || earlier.repository !== later.repository) continue;
      const overlap = firstOverlap(earlier, later);
      if (overlap === undefined) continue;
      issues.push({
        path: overlap.at,
        message: overlapMessage(
          later.name,
          overlap.mine,
          earlier.name,
          overlap.theirs,
          later.repository === DEFAULT_REPOSITORY ? later.branch : `${later.repository}:${later.branch}`,
        ),
        hint: 'give each environment its own branch (or push.branch), or paths that do not overlap',
      });
      break;
    }
  }
  return issues;
}

function firstOverlap(
  earlier: Writer,
  later: Writer,
): { mine: string; theirs: string; at: PathSegment[] } | undefined {
  for (const mine of later.paths) {
    for (const theirs of earlier.paths) {
      if (!pathsOverlap(mine.path, theirs.path)) continue;
      return { mine: normalizeRepoPath(mine.path), theirs: normalizeRepoPath(theirs.path), at: mine.at };
    }
  }
  return undefined;
}

function overlapMessage(
  later: string,
  mine: string,
  earlier: string,
  theirs: string,
  branch: string,
): string {
  if (mine === '' && theirs === '')
    return `\`${later}\` and \`${earlier}\` both edit the whole branch \`${branch}\``;
  if (mine === '')
    return `\`${later}\` edits the whole branch \`${branch}\`, which includes \`${theirs}\` of \`${earlier}\``;
  if (theirs === '')
    return `\`${later}\` edits \`${mine}\` on branch \`${branch}\`, where \`${earlier}\` edits the whole branch`;
  if (mine === theirs) return `\`${later}\` and \`${earlier}\` both edit \`${mine}\` on branch \`${branch}\``;
  const relation = mine.startsWith(`${theirs}/`) ? 'inside' : 'which contains';
  return `\`${later}\` edits \`${mine}\` on branch \`${branch}\`, ${relation} \`${theirs}\` of \`${earlier}\``;
}
