/**
 * A policy checked and compiled once per selection: regexes built, the range parsed, the
 * extract template read. `policyProblems` is the same check as a list, for config validation.
 */
import type { Policy } from '../config/schema.js';
import {
  REGEX_HINT,
  captureGroups,
  compileRegex,
  regexProblem as re2Problem,
  type TagRegex,
} from '../checks/regex.js';
import { ConfigError } from '../errors.js';
import { parseExtract, type ExtractTemplate } from './extract.js';
import { createOrdering, orderingKindOf, type Ordering } from './ordering.js';
import { compileRange } from './semver-range.js';
import type { SelectionContext } from './types.js';

export interface PolicyProblem {
  /** Field of the policy (`pattern`, `exclude[1]`, `semver`), or `imageExclude[i]` for the image's own. */
  readonly field: string;
  readonly message: string;
  readonly hint?: string;
}

export interface CompiledExclude {
  readonly regex: TagRegex;
  readonly from: 'policy' | 'image';
}

export interface CompiledPolicy {
  readonly imageKey: string;
  readonly policy: Policy;
  readonly ordering: Ordering<unknown>;
  readonly excludes: readonly CompiledExclude[];
  readonly pattern: TagRegex | undefined;
  readonly extract: ExtractTemplate | undefined;
  readonly minAgeMs: number;
}

function regexProblem(field: string, source: string): PolicyProblem | undefined {
  const problem = re2Problem(source);
  if (problem === undefined) return undefined;
  return {
    field,
    message: `invalid regular expression ${JSON.stringify(source)}: ${problem}`,
    hint: REGEX_HINT,
  };
}

function orderingProblems(policy: Policy): PolicyProblem[] {
  const named = (['semver', 'order', 'newest', 'promote'] as const).filter(
    (key) => policy[key] !== undefined,
  );
  if (orderingKindOf(policy) === undefined) {
    return [
      {
        field: named[1] ?? '',
        message:
          named.length === 0
            ? 'the policy names no ordering'
            : `the policy names more than one ordering (${named.join(', ')})`,
        hint: 'keep exactly one of semver, order, newest or promote',
      },
    ];
  }
  const problems: PolicyProblem[] = [];
  if (policy.direction !== undefined && policy.order === undefined) {
    problems.push({
      field: 'direction',
      message: 'direction applies to order: numerical or order: alphabetical only',
      hint: 'remove direction, or use order',
    });
  }
  if (policy.semver !== undefined) {
    try {
      compileRange(policy.semver);
    } catch {
      problems.push({
        field: 'semver',
        message: `invalid semver range ${JSON.stringify(policy.semver)}`,
        hint: "node-semver syntax, e.g. '^6.0.0', '~1.2', '>=1.0.0 <2.0.0', '>=1.0.0-0' to include prereleases, or Flux's and Argo CD Image Updater's '>=1.0.0, <2.0.0'",
      });
    }
  }
  return problems;
}

function extractProblems(policy: Policy): PolicyProblem[] {
  if (policy.extract === undefined) return [];
  if (policy.pattern === undefined) {
    return [
      { field: 'extract', message: 'extract needs a pattern', hint: 'add pattern with a capture group' },
    ];
  }
  if (regexProblem('pattern', policy.pattern)) return [];
  const groups = captureGroups(policy.pattern);
  const count = groups?.count ?? 0;
  const names = new Set(groups?.names ?? []);
  const known = [...Array.from({ length: count }, (_, i) => `$${i + 1}`), ...[...names].map((n) => `$${n}`)];
  return parseExtract(policy.extract)
    .groups.filter((group) => (typeof group === 'number' ? group < 1 || group > count : !names.has(group)))
    .map((group) => ({
      field: 'extract',
      message: `extract names group $${group}, which pattern does not define`,
      hint: known.length === 0 ? 'add a capture group to pattern' : `pattern defines ${known.join(', ')}`,
    }));
}

/** Every problem of a policy (and the image's own exclude list), none when it compiles. */
export function policyProblems(policy: Policy, imageExclude: readonly string[] = []): PolicyProblem[] {
  const regexes = [
    ...(policy.pattern === undefined ? [] : [regexProblem('pattern', policy.pattern)]),
    ...(policy.exclude ?? []).map((source, i) => regexProblem(`exclude[${i}]`, source)),
    ...imageExclude.map((source, i) => regexProblem(`imageExclude[${i}]`, source)),
  ].filter((problem) => problem !== undefined);
  return [...orderingProblems(policy), ...regexes, ...extractProblems(policy)];
}

/** Throws ConfigError listing every problem; the config loader reports them with positions first. */
export function compilePolicy(input: {
  readonly imageKey: string;
  readonly policy: Policy;
  readonly imageExclude?: readonly string[] | undefined;
  readonly context: SelectionContext;
}): CompiledPolicy {
  const { imageKey, policy, imageExclude = [] } = input;
  const problems = policyProblems(policy, imageExclude);
  if (problems.length > 0) {
    throw new ConfigError(
      `the policy for image ${imageKey} is invalid`,
      problems.map((problem) => ({
        file: '<policy>',
        line: 0,
        column: 0,
        path: `policies.${imageKey}${problem.field ? `.${problem.field}` : ''}`,
        message: problem.message,
        ...(problem.hint === undefined ? {} : { hint: problem.hint }),
      })),
    );
  }
  return {
    imageKey,
    policy,
    ordering: createOrdering(policy, input.context),
    excludes: [
      ...(policy.exclude ?? []).map((source) => ({ regex: compileRegex(source), from: 'policy' as const })),
      ...imageExclude.map((source) => ({ regex: compileRegex(source), from: 'image' as const })),
    ],
    pattern: policy.pattern === undefined ? undefined : compileRegex(policy.pattern),
    extract: policy.extract === undefined ? undefined : parseExtract(policy.extract),
    minAgeMs: policy.minAge ?? 0,
  };
}
