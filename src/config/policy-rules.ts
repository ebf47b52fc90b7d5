/**
 * Rules of one policy that span its fields, or reach outside it: exactly one ordering,
 * `direction` only with `order`, `extract` only with a `pattern` that has the group,
 * the image key known under `images:`, `promote.from` a known other environment.
 * They read the raw YAML data defensively, so they run even when the schema found problems.
 */
import { captureGroups, type CaptureGroups as Groups } from '../checks/regex.js';
import type { PathIssue, PathSegment } from './issues.js';
import { ORDERINGS } from './schema.js';
import { suggestionHint } from './suggest.js';
import { isMapping } from './raw.js';

export interface PolicyContext {
  readonly environment: string;
  readonly image: string;
  readonly policy: unknown;
  /** Keys under `images:`; undefined when `images` is not a mapping (the schema reports that). */
  readonly images: readonly string[] | undefined;
  readonly environments: readonly string[];
  /** Keys a policy may have. */
  readonly policyKeys: readonly string[];
}

export function policyRules(context: PolicyContext): PathIssue[] {
  const path: PathSegment[] = ['environments', context.environment, 'policies', context.image];
  const issues: PathIssue[] = [];
  const { images } = context;
  if (images !== undefined && !images.includes(context.image)) {
    issues.push({
      path,
      at: 'key',
      message: `policy for image \`${context.image}\`, which is not under \`images:\``,
      hint:
        images.length === 0
          ? 'declare the image under `images:` first'
          : suggestionHint(context.image, images, 'images'),
    });
  }
  const policy = context.policy;
  if (!isMapping(policy)) return issues;
  issues.push(...orderingRules(policy, path, context.policyKeys));
  issues.push(...extractRules(policy, path));
  issues.push(...promoteRules(policy, path, context));
  return issues;
}

function orderingRules(
  policy: Record<string, unknown>,
  path: PathSegment[],
  policyKeys: readonly string[],
): PathIssue[] {
  const orderings = Object.keys(policy).filter((key) => (ORDERINGS as readonly string[]).includes(key));
  const issues: PathIssue[] = [];
  if (orderings.length === 0) {
    // An unknown key is likely a misspelt ordering; the schema already reports it.
    const misspelt = Object.keys(policy).some((key) => !policyKeys.includes(key));
    if (!misspelt) {
      issues.push({
        path,
        message: 'the policy has no ordering',
        hint: "give exactly one of `semver`, `order`, `newest` or `promote`, e.g. { semver: '^1.0.0' }",
      });
    }
  }
  if (orderings.length > 1) {
    const [first, ...rest] = orderings;
    const names = orderings.map((key) => `\`${key}\``);
    const listed = `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
    issues.push({
      path: [...path, rest[0] ?? ''],
      at: 'key',
      message: `${listed} are ${orderings.length === 2 ? 'both' : 'all'} orderings; a policy has exactly one`,
      hint: `keep one (e.g. \`${first ?? ''}\`) and remove the others; pattern, exclude, minAge, maxSeverity and digest combine with any`,
    });
  }
  if ('direction' in policy && !('order' in policy)) {
    issues.push({
      path: [...path, 'direction'],
      at: 'key',
      message: '`direction` applies only to `order: alphabetical` or `order: numerical`',
      hint: 'remove `direction`, or order the tags with `order:`',
    });
  }
  return issues;
}

function extractRules(policy: Record<string, unknown>, path: PathSegment[]): PathIssue[] {
  const extract = policy['extract'];
  if (typeof extract !== 'string') return [];
  const pattern = policy['pattern'];
  if (pattern === undefined) {
    return [
      {
        path: [...path, 'extract'],
        at: 'key',
        message: '`extract` needs a `pattern` to take the group from',
        hint: "add a pattern with a group, e.g. pattern: '^main-(?<ts>\\d+)$' with extract: '$ts'",
      },
    ];
  }
  if (typeof pattern !== 'string') return [];
  const groups = captureGroups(pattern);
  if (groups === undefined) return []; // the schema reports the bad regex
  const references = [...extract.matchAll(/\$(?:(\d+)|\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g)];
  const available = describeGroups(groups);
  if (references.length === 0) {
    return [
      {
        path: [...path, 'extract'],
        message: `\`${extract}\` names no group of the pattern`,
        hint: `write $1, $name or \${name}; the pattern has ${available}`,
      },
    ];
  }
  const issues: PathIssue[] = [];
  for (const reference of references) {
    const [text, number, braced, bare] = reference;
    const name = braced ?? bare;
    const missing =
      number !== undefined
        ? Number(number) < 1 || Number(number) > groups.count
        : !groups.names.includes(name ?? '');
    if (!missing) continue;
    issues.push({
      path: [...path, 'extract'],
      message: `\`${text}\` names a group the pattern does not have`,
      hint: `the pattern has ${available}`,
    });
  }
  return issues;
}

function describeGroups(groups: Groups): string {
  if (groups.count === 0) return 'no capturing groups: add one, e.g. (?<ts>\\d+)';
  const numbered = groups.count === 1 ? 'one group ($1)' : `${groups.count} groups ($1…$${groups.count})`;
  if (groups.names.length === 0) return numbered;
  return `${numbered}, named ${groups.names.map((name) => `$${name}`).join(', ')}`;
}

function promoteRules(
  policy: Record<string, unknown>,
  path: PathSegment[],
  context: PolicyContext,
): PathIssue[] {
  const promote = policy['promote'];
  if (!isMapping(promote) || typeof promote['from'] !== 'string') return [];
  const from = promote['from'];
  const fromPath = [...path, 'promote', 'from'];
  if (from === context.environment) {
    return [
      {
        path: fromPath,
        message: `\`${from}\` promotes from itself`,
        hint: 'name the environment before this one, e.g. staging for prod',
      },
    ];
  }
  if (context.environments.includes(from)) return [];
  return [
    {
      path: fromPath,
      message: `\`${from}\` is not an environment`,
      hint: suggestionHint(
        from,
        context.environments.filter((name) => name !== context.environment),
        'environments',
      ),
    },
  ];
}
