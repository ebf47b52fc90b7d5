/** Renders reconciliation results for people (terminal) and machines (JSON lines). */
import { formatDuration } from '../config/duration.js';
import { DEFAULT_REPOSITORY } from '../config/repositories.js';
import { printable } from '../log/printable.js';
import { LATE_RULES } from '../policy/reasons.js';
import { pushedText } from '../policy/explain.js';
import type { Decision } from '../policy/types.js';
import type { EnvironmentOutcome, ImageOutcome, ReconcileResult } from '../reconcile.js';
import type { PullRequestRecord } from '../reconcile/pull-requests.js';
import type { RevertRecord } from '../reconcile/revert-failures.js';

export function renderJsonLines(result: ReconcileResult): string {
  const lines = result.environments.map((env) =>
    JSON.stringify({
      environment: env.environment,
      repository: env.repository,
      branch: env.branch,
      pushBranch: env.pushBranch,
      status: env.status,
      commit: env.commit,
      attempts: env.attempts,
      updates: env.updates,
      images: env.images.map((image) => imageJson(image)),
      problems: env.problems,
      error: env.error,
      diff: env.diff,
      pullRequests: env.pullRequests,
      reverts: env.reverts,
    }),
  );
  for (const failure of result.registryFailures) lines.push(JSON.stringify({ registryFailure: failure }));
  for (const repository of result.repositories) {
    if (repository.status === 'failed') lines.push(JSON.stringify({ repositoryFailure: repository }));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function imageJson(image: ImageOutcome): Record<string, unknown> {
  const decision = image.decision;
  return {
    image: image.image,
    current: image.current,
    next: decision?.chosen?.tag,
    digest: decision?.chosen?.digest,
    summary: decision?.summary,
    hold: image.hold,
    registryError: image.registryError,
    error: image.error,
    rejected: decision?.rejected.filter((r) => r.reason !== 'outranked').slice(0, 50),
  };
}

export function renderScan(result: ReconcileResult, options: { explain: boolean }): string {
  const out: string[] = [];
  const named = namesRepositories(result);
  for (const env of result.environments) {
    out.push(environmentHeadline(env, named));
    for (const pullRequest of env.pullRequests ?? []) out.push(`  ${pullRequestLine(pullRequest)}`);
    for (const revert of env.reverts ?? []) out.push(`  ${revertLine(revert)}`);
    for (const update of env.updates) {
      out.push(`  ${update.image}  ${update.old} → ${update.new}  (${fileList(update.files)})`);
    }
    for (const problem of env.problems) {
      const where = problem.line
        ? `${problem.file}:${problem.line}${problem.column ? `:${problem.column}` : ''}`
        : problem.file;
      out.push(`  ${problem.severity}: ${where}: ${problem.message}`);
    }
    if (env.error) out.push(`  error: ${env.error.replace(/\n/g, '\n    ')}`);
    if (options.explain) for (const image of env.images) out.push(...explainImage(image));
    if (env.diff) out.push('', env.diff.trimEnd(), '');
  }
  for (const failure of result.registryFailures) {
    out.push(`registry: ${failure.image} (${failure.repository}): ${failure.code}: ${failure.message}`);
  }
  out.push(...failureSummary(result));
  if (result.environments.length === 0) out.push('nothing in scope');
  return `${out.join('\n')}\n`;
}

/** Repository names appear once the config has more than the `git:` one. */
function namesRepositories(result: ReconcileResult): boolean {
  return (
    result.repositories.length > 1 || result.environments.some((env) => env.repository !== DEFAULT_REPOSITORY)
  );
}

/** What failed, by repository and environment, so a long scan ends with the part that needs a person. */
function failureSummary(result: ReconcileResult): string[] {
  const lines: string[] = [];
  const failedRepositories = result.repositories.filter((repository) => repository.status === 'failed');
  for (const repository of failedRepositories) {
    const environments = result.environments.filter(
      (env) => env.repository === repository.repository && env.status === 'failed',
    );
    lines.push(
      `repository ${repository.repository} (${repository.remote}): FAILED, ${count(environments.length, 'environment')} not reconciled: ${firstLine(repository.error ?? '')}`,
    );
  }
  const inFailedRepository = new Set(failedRepositories.map((repository) => repository.repository));
  const others = result.environments.filter(
    (env) => env.status === 'failed' && !inFailedRepository.has(env.repository),
  );
  const failed = failedRepositories.length + others.length + result.registryFailures.length;
  if (failed === 0) return lines;
  const parts = [
    failedRepositories.length > 0 ? count(failedRepositories.length, 'repository', 'repositories') : '',
    others.length > 0
      ? `${count(others.length, 'environment')} (${others.map((env) => env.environment).join(', ')})`
      : '',
    result.registryFailures.length > 0
      ? count(result.registryFailures.length, 'image') + ' unreadable in the registry'
      : '',
  ].filter(Boolean);
  lines.push(`failed: ${parts.join(', ')}; the others were reconciled`);
  return lines;
}

const PULL_REQUEST_ACTIONS: Readonly<Record<PullRequestRecord['action'], string>> = {
  opened: 'opened',
  updated: 'updated',
  unchanged: 'open, up to date',
  closed: 'closed: nothing pending',
  'would-open': 'would open',
  'would-update': 'would update',
  'would-close': 'would close: nothing pending',
};

/** `pull request #12 opened: https://… (drawbridge/prod)`. */
const REVERT_RESULTS: Readonly<Record<RevertRecord['result'], string>> = {
  reverted: 'reverted',
  blocked: 'not reverted',
  rejected: 'revert not pushed',
  'dry-run': 'would be reverted',
  proposed: 'revert proposed',
};

/** One line: which commit failed, where and when, and what became of its revert. */
export function revertLine(record: RevertRecord): string {
  const shown = record.images.slice(0, 5).map((image) => `${image.image} ${image.tag}`);
  const more = record.images.length - shown.length;
  const images = `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const what = `${printable(record.context, 255)} failed for ${record.commit.slice(0, 12)} (${images}) at ${record.at.toISOString()}`;
  const done = record.revert ? ` by ${record.revert.slice(0, 12)}` : '';
  const where = record.pullRequest
    ? ` in pull request #${record.pullRequest.number} ${record.pullRequest.url}`
    : '';
  return `${what}: ${REVERT_RESULTS[record.result]}${done}${where}${record.reason ? ` (${record.reason})` : ''}`;
}

export function pullRequestLine(record: PullRequestRecord): string {
  const what = PULL_REQUEST_ACTIONS[record.action];
  const auto =
    record.autoMerge === undefined
      ? ''
      : record.autoMerge === 'enabled'
        ? ', auto-merge on'
        : record.autoMerge === 'merged'
          ? ', merged (approval rules satisfied)'
          : ', merges once its approval rules are satisfied';
  if (record.number === 0) return `pull request ${what} from ${record.branch}`;
  return `pull request #${record.number} ${what}${auto}: ${record.url} (from ${record.branch})`;
}

function environmentHeadline(env: EnvironmentOutcome, named: boolean): string {
  const branches = env.pushBranch === env.branch ? env.branch : `${env.branch} → ${env.pushBranch}`;
  const target = named ? `${env.repository}: ${branches}` : branches;
  const unchecked = env.images.filter(
    (image) => image.registryError !== undefined || image.error !== undefined,
  );
  switch (env.status) {
    case 'committed':
      return `${env.environment} (${target}): committed ${env.commit?.slice(0, 12) ?? ''}, ${count(env.updates.length, 'update')}${env.attempts > 1 ? ` after ${env.attempts} attempts` : ''}`;
    case 'dry-run':
      return `${env.environment} (${target}): would commit ${count(env.updates.length, 'update')} (dry run)`;
    case 'unchanged':
      if (env.pullRequests?.some((pr) => pr.action !== 'closed' && pr.action !== 'would-close'))
        return `${env.environment} (${target}): updates pending in a pull request`;
      if (unchecked.length > 0 && unchecked.length === env.images.length)
        return `${env.environment} (${target}): not checked: ${uncheckedReason(unchecked)}`;
      if (unchecked.length > 0)
        return `${env.environment} (${target}): up to date, but ${count(unchecked.length, 'image')} not checked: ${uncheckedReason(unchecked)}`;
      return `${env.environment} (${target}): up to date`;
    case 'failed':
      return `${env.environment} (${target}): FAILED`;
  }
}

function explainImage(image: ImageOutcome): string[] {
  const lines = [`  ${image.image}: in Git ${image.current.join(', ') || '(no marker)'}`];
  if (image.registryError) return [...lines, `    registry error: ${image.registryError}`];
  if (image.error) return [...lines, `    not decided: ${image.error}`];
  if (image.hold)
    lines.push(
      `    held by ${image.hold.by} since ${image.hold.at.toISOString()}${image.hold.reason ? `: ${image.hold.reason}` : ''}`,
    );
  if (image.decision) lines.push(...explainDecision(image.decision).map((line) => `    ${line}`));
  return lines;
}

const EXPLAIN_LIMIT = 20;

export function explainDecision(decision: Decision): string[] {
  const lines = [`choice: ${decision.chosen?.tag ?? '(none)'} — ${decision.summary}`];
  // Outside ECR, where the push time came from (--explain shows it for OCI registries).
  const chosen = decision.chosen;
  if (chosen?.pushedFrom !== undefined)
    lines.push(`image: ${chosen.digest.slice(0, 19)}… ${pushedText(chosen)}`);
  const ranked = decision.ranked.slice(0, 5).map((c) => c.tag);
  if (ranked.length > 0)
    lines.push(
      `eligible (best first): ${ranked.join(', ')}${decision.ranked.length > 5 ? `, … ${decision.ranked.length} in all` : ''}`,
    );
  const rejected = decision.rejected.filter((r) => r.reason !== 'outranked');
  for (const rejection of rejected.slice(0, EXPLAIN_LIMIT)) {
    lines.push(
      // Rejected tags come from the registry as they are: escaped and capped, one line each.
      `rejected ${printable(rejection.tag, 80)}: ${rejection.reason}${rejection.detail ? ` (${printable(rejection.detail, 400)})` : ''}`,
    );
  }
  if (rejected.length > EXPLAIN_LIMIT) lines.push(`… and ${rejected.length - EXPLAIN_LIMIT} more rejected`);
  return lines;
}

export function renderStatus(result: ReconcileResult, now: Date): string {
  const named = namesRepositories(result);
  const lead = (env: EnvironmentOutcome): string[] =>
    named ? [env.environment, env.repository] : [env.environment];
  const rows: string[][] = [
    [...(named ? ['ENVIRONMENT', 'REPOSITORY'] : ['ENVIRONMENT']), 'IMAGE', 'IN GIT', 'NEXT', 'WHY'],
  ];
  for (const env of result.environments) {
    if (env.error && env.images.length === 0)
      rows.push([...lead(env), '-', '-', '-', `error: ${firstLine(env.error)}`]);
    for (const image of env.images)
      rows.push([...lead(env), image.image, image.current.join(',') || '-', ...nextAndWhy(image, now)]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const table = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  );
  const pullRequests = result.environments.flatMap((env) =>
    (env.pullRequests ?? []).map((pr) => `${env.environment}: ${pullRequestLine(pr)}`),
  );
  const reverts = result.environments.flatMap((env) =>
    (env.reverts ?? []).map((record) => `${env.environment}: ${revertLine(record)}`),
  );
  const notes = [...pullRequests, ...reverts];
  return `${[...table, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')}\n`;
}

function nextAndWhy(image: ImageOutcome, now: Date): [string, string] {
  if (image.registryError) return ['-', `registry error: ${firstLine(image.registryError)}`];
  if (image.error) return ['-', `not decided: ${firstLine(image.error)}`];
  const decision = image.decision;
  const next = decision?.chosen?.tag ?? '-';
  if (image.hold) {
    const reason = image.hold.reason ? `: ${image.hold.reason}` : '';
    const elapsed = Math.max(0, now.getTime() - image.hold.at.getTime());
    const since = formatDuration(elapsed - (elapsed % 60_000)); // whole minutes
    return [next, `held by ${image.hold.by}${reason} (for ${since})`];
  }
  if (!decision?.chosen) return ['-', decision?.summary ?? 'no eligible tag'];
  const upToDate = image.current.length === 1 && image.current[0] === decision.chosen.tag;
  const blockers = decision.rejected
    .filter((r) => LATE_RULES.includes(r.reason))
    .slice(0, 2)
    .map((r) => `${r.tag} ${r.reason}${r.detail ? `: ${r.detail}` : ''}`);
  const why = upToDate ? 'up to date' : `would update (${decision.summary})`;
  return [next, blockers.length > 0 ? `${why}; ${blockers.join('; ')}` : why];
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** The first files, then how many more: one line per image even when it touched hundreds. */
function fileList(files: readonly string[]): string {
  const shown = files.slice(0, SCAN_FILES);
  const rest = files.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

const SCAN_FILES = 3;

function uncheckedReason(images: readonly ImageOutcome[]): string {
  const registry = images.filter((image) => image.registryError !== undefined).length;
  if (registry === images.length) return 'the registry could not be read';
  if (registry === 0) return firstLine(images[0]?.error ?? '');
  return `the registry could not be read for ${count(registry, 'image')}, ${firstLine(images.find((image) => image.error)?.error ?? '')}`;
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
