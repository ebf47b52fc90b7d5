/**
 * A node-semver range compiled once into comparators over our parsed tags, so a tag is parsed
 * once and tested without re-parsing. Semantics are node-semver's (Range.test), with one
 * policy decision on top: a range that names a prerelease anywhere (`>=6.0.0-0`,
 * `^2.0.0-rc.1`) is evaluated with `includePrerelease`, so it admits prereleases of every
 * version in range, as Flux does; a range that names none admits none. A range written in
 * Masterminds' dialect (commas, `!=`, `2.x-0`) follows Masterminds' rule instead: a prerelease
 * passes an AND group only when every comparator of that group names a prerelease.
 */
import semver from 'semver';
import { nodeRange } from '../checks/semver-dialect.js';
import { compareSemver, type SemverTag } from './semver-tag.js';

export type RangeVerdict = 'in' | 'out-of-range' | 'prerelease';

type Operator = '' | '<' | '<=' | '>' | '>=';

interface CompiledSet {
  readonly comparators: readonly CompiledComparator[];
  /** Prereleases pass this set by the dialect's rule (undefined: node-semver's). */
  readonly prereleases?: boolean;
}

interface CompiledComparator {
  readonly operator: Operator;
  /** Undefined for the comparator that admits anything (`*`, `x`, ''). */
  readonly version: SemverTag | undefined;
}

export interface CompiledRange {
  /** The range as the user wrote it. */
  readonly text: string;
  readonly namesPrerelease: boolean;
  test(version: SemverTag): RangeVerdict;
}

// A full X.Y.Z directly followed by `-identifier`, not inside build metadata or another token.
const NAMED_PRERELEASE = /(?<![0-9A-Za-z.+-])v?\d+\.\d+\.\d+-[0-9A-Za-z-]/;

export function rangeNamesPrerelease(text: string): boolean {
  return NAMED_PRERELEASE.test(text);
}

function holds(operator: Operator, version: SemverTag, bound: SemverTag): boolean {
  const order = compareSemver(version, bound);
  switch (operator) {
    case '':
      return order === 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function toOperator(text: string): Operator {
  if (text === '' || text === '=') return '';
  if (text === '<' || text === '<=' || text === '>' || text === '>=') return text;
  throw new TypeError(`unexpected comparator operator ${text}`);
}

/**
 * Throws TypeError when the range is invalid. A range in Masterminds' dialect (Flux's and Argo
 * CD Image Updater's: commas, `!=`) is read in node-semver's words first (checks/semver-dialect.ts).
 */
export function compileRange(text: string): CompiledRange {
  const dialect = nodeRange(text);
  if ('problem' in dialect) throw new TypeError(`invalid range ${text}: ${dialect.problem}`);
  const namesPrerelease = rangeNamesPrerelease(dialect.range);
  const sets: CompiledSet[] = dialect.groups
    ? dialect.groups.flatMap((group) =>
        comparatorSets(group.range, group.prereleases).map((comparators) => ({
          comparators,
          prereleases: group.prereleases,
        })),
      )
    : comparatorSets(dialect.range, namesPrerelease).map((comparators) => ({ comparators }));

  const passes = (set: readonly CompiledComparator[], version: SemverTag): boolean => {
    for (const comparator of set) {
      if (comparator.version && !holds(comparator.operator, version, comparator.version)) return false;
    }
    return true;
  };

  // node-semver: without includePrerelease, a prerelease passes a comparator set only if one of
  // its comparators names a prerelease of the same major.minor.patch.
  const prereleaseAllowed = (set: readonly CompiledComparator[], version: SemverTag): boolean => {
    for (const { version: bound } of set) {
      if (!bound || bound.pre.length === 0) continue;
      if (bound.major === version.major && bound.minor === version.minor && bound.patch === version.patch) {
        return true;
      }
    }
    return false;
  };

  return {
    text,
    namesPrerelease,
    test(version) {
      let verdict: RangeVerdict = 'out-of-range';
      for (const { comparators, prereleases } of sets) {
        if (!passes(comparators, version)) continue;
        if (version.pre.length === 0) return 'in';
        if (prereleases ?? (namesPrerelease || prereleaseAllowed(comparators, version))) return 'in';
        verdict = 'prerelease';
      }
      return verdict;
    },
  };
}

function comparatorSets(range: string, includePrerelease: boolean): CompiledComparator[][] {
  return new semver.Range(range, { includePrerelease }).set.map((comparators) =>
    comparators.map((comparator) => {
      if (comparator.value === '') return { operator: '', version: undefined };
      const bound = comparator.semver;
      return {
        operator: toOperator(comparator.operator),
        version: { major: bound.major, minor: bound.minor, patch: bound.patch, pre: bound.prerelease },
      };
    }),
  );
}
