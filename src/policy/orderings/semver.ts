import type { Ordering } from '../ordering.js';
import { compileRange } from '../semver-range.js';
import {
  blankSemverTag,
  compareSemver,
  parseSemverTag,
  type MutableSemverTag,
  type SemverTag,
} from '../semver-tag.js';

function show(version: SemverTag): string {
  const main = `${version.major}.${version.minor}.${version.patch}`;
  return version.pre.length === 0 ? main : `${main}-${version.pre.join('.')}`;
}

/** `semver: RANGE`: the highest version in the range. */
export function semverOrdering(rangeText: string): Ordering<MutableSemverTag> {
  const range = compileRange(rangeText);
  return {
    kind: 'semver',
    noun: 'version',
    unparsed: 'not-semver',
    parse: (text, _candidate, into) => parseSemverTag(text, into),
    blank: blankSemverTag,
    admit(key) {
      const verdict = range.test(key);
      return verdict === 'in' ? undefined : verdict;
    },
    compare: compareSemver,
    show,
    describe: (count) =>
      count === 1 ? `the only version in ${rangeText}` : `highest of ${count} versions in ${rangeText}`,
  };
}
