/**
 * Semver ranges in the dialect of Flux and Argo CD Image Updater (SPEC §13): both read
 * constraints with Masterminds/semver, where a comma means AND (`>=1.0, <2.0`), comparators
 * may stand apart from their versions (`>= 1.2`) and `!=` excludes one version. drawbridge
 * evaluates ranges with node-semver, so a range in that dialect is rewritten into node-semver's
 * own words with the same meaning: commas and spaces become the space that ANDs, an operator
 * is joined to its version, and `!=V` becomes `<V || >V` distributed over its AND group.
 * Everything both dialects spell alike (`^`, `~`, `1.x`, `*`, `v` prefixes, `a - b`, `||`)
 * passes through unchanged. A range node-semver already accepts is left exactly as written.
 *
 * Two things read differently and are rewritten too: a partial version with a prerelease
 * (`2.x-0`, Argo CD Image Updater's documented way to admit prereleases; `~1.2.x-0`), which
 * node-semver refuses or reads without its prerelease, becomes the comparators Masterminds
 * means (`>=2.0.0-0 <3.0.0-0`); and each AND group says whether Masterminds admits prereleases
 * in it: only when every comparator of the group names one (each comparator without one
 * refuses a prerelease, as Masterminds' constraint checks do).
 */
import semver from 'semver';

/** `!=` terms multiply the OR groups; more than this is no policy anyone writes. */
const MAX_GROUPS = 64;
const MAX_LENGTH = 512;

export interface DialectGroup {
  /** One AND group in node-semver's words. */
  readonly range: string;
  /** Masterminds admits prereleases in this group: every comparator names one. */
  readonly prereleases: boolean;
}

export type DialectRange =
  | {
      readonly range: string;
      readonly translated: boolean;
      /** For a translated range: its AND groups, to be read with Masterminds' prerelease rule. */
      readonly groups?: readonly DialectGroup[];
    }
  | { readonly problem: string };

/** A partial version (`2`, `2.x`, `1.2.x`, `1.2`) directly followed by a prerelease. */
const PARTIAL_PRERELEASE =
  /^(?<op>[<>]=?|=[<>]?|~>?|\^)?v?(?<major>\d+)(?:\.(?<minor>\d+|[xX*]))?(?:\.(?<patch>[xX*]))?-(?<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)$/;
const HAS_PARTIAL_PRERELEASE = /(?:^|[\s,|<>=^~])v?\d+(?:\.(?:\d+|[xX*]))?(?:\.[xX*])?-[0-9A-Za-z]/;
/** A comparator's version names a prerelease: `1.2.3-rc.1`, `2.x-0`. */
const NAMES_PRERELEASE = /\d(?:\.(?:\d+|[xX*])){0,2}-[0-9A-Za-z]/;

/** The node-semver range that means what `text` means in either dialect. */
export function nodeRange(text: string): DialectRange {
  if (text.length > MAX_LENGTH) return { problem: `${text.length} characters, at most ${MAX_LENGTH}` };
  if (semver.validRange(text) !== null && !text.includes(',') && !HAS_PARTIAL_PRERELEASE.test(text))
    return { range: text, translated: false };
  const groups: DialectGroup[] = [];
  for (const alternative of text.split('||')) {
    const terms = tokens(alternative);
    if (terms === undefined)
      return { problem: `\`${alternative.trim()}\` has an operator without a version` };
    // Each `!=V` splits its group in two: below V, or above it.
    const prereleases = terms.length > 0 && terms.every((term) => term.split(' - ').every(namesPrerelease));
    let expanded: string[][] = [[]];
    for (const source of terms) {
      const term = partialPrerelease(source) ?? source;
      if (term.startsWith('!=')) {
        const version = term.slice(2);
        if (semver.valid(version.replace(/^v/, '')) === null)
          return {
            problem: `\`${term}\` excludes \`${version}\`, which is not a full version (!= takes X.Y.Z)`,
          };
        expanded = expanded.flatMap((group) => [
          [...group, `<${version}`],
          [...group, `>${version}`],
        ]);
        if (expanded.length > MAX_GROUPS)
          return { problem: `more than ${MAX_GROUPS} alternatives once != is expanded` };
      } else expanded = expanded.map((group) => [...group, term]);
    }
    groups.push(
      ...expanded.map((group) => ({ range: group.length === 0 ? '*' : group.join(' '), prereleases })),
    );
    if (groups.length > MAX_GROUPS) return { problem: `more than ${MAX_GROUPS} alternatives` };
  }
  const range = groups.map((group) => group.range).join(' || ');
  if (semver.validRange(range) === null || groups.some((group) => semver.validRange(group.range) === null))
    return { problem: 'not a range in node-semver or Masterminds syntax' };
  return { range, translated: true, groups };
}

function namesPrerelease(term: string): boolean {
  return NAMES_PRERELEASE.test(term);
}

/**
 * `2.x-0`, `^1.2.x-rc`, `>=3-0`: the comparators Masterminds reads (its version with the
 * missing parts zero and the prerelease kept, then the operator's bounds); undefined for any
 * other term.
 */
function partialPrerelease(term: string): string | undefined {
  const match = PARTIAL_PRERELEASE.exec(term);
  const parts = match?.groups;
  if (!parts) return undefined;
  const major = Number(parts['major']);
  const minorText = parts['minor'];
  const minorDirty = minorText === undefined || /^[xX*]$/.test(minorText);
  const minor = minorDirty ? 0 : Number(minorText);
  const lower = `${major}.${minor}.0-${parts['pre']!}`;
  const nextMajor = `${major + 1}.0.0-0`;
  const nextMinor = `${major}.${minor + 1}.0-0`;
  switch (parts['op'] ?? '') {
    case '^':
      return major > 0 || minorDirty ? `>=${lower} <${nextMajor}` : `>=${lower} <${nextMinor}`;
    case '>=':
    case '=>':
      return `>=${lower}`;
    case '<':
      return `<${lower}`;
    case '>':
      return `>=${minorDirty ? nextMajor : nextMinor}`;
    case '<=':
    case '=<':
      return `<${minorDirty ? nextMajor : nextMinor}`;
    default:
      // `=`, no operator, `~`, `~>`: Masterminds reads a partial version as a tilde range.
      return `>=${lower} <${minorDirty ? nextMajor : nextMinor}`;
  }
}

/**
 * The terms of one AND group: split on commas and spaces, an operator standing alone joined
 * to the version after it, and `a - b` kept together; undefined for an operator left hanging.
 */
function tokens(group: string): string[] | undefined {
  const words = group.split(/[\s,]+/).filter((word) => word !== '');
  const terms: string[] = [];
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    if (/^(?:[<>]=?|=|!=|\^|~)$/.test(word)) {
      const next = words[i + 1];
      if (next === undefined) return undefined;
      terms.push(`${word}${next}`);
      i += 1;
    } else if (word === '-' && terms.length > 0 && words[i + 1] !== undefined) {
      terms[terms.length - 1] = `${terms[terms.length - 1]!} - ${words[i + 1]!}`;
      i += 1;
    } else terms.push(word);
  }
  return terms;
}

/**
 * `text`, a range from Flux or Argo CD Image Updater, spelt so that drawbridge reads it as
 * Masterminds does. A range both dialects spell alike is read as node-semver reads it, which
 * admits prereleases differently when the range names one across several comparators
 * (`>=1.0.0-0 <2.0.0`); a comma between its terms marks the dialect. Anything else is returned
 * as written.
 */
export function mastermindsSpelling(text: string): string {
  const read = nodeRange(text);
  if ('problem' in read || read.translated || !NAMES_PRERELEASE.test(text)) return text;
  const groups = text.split('||').map((group) => tokens(group) ?? []);
  if (groups.some((terms) => terms.length === 0)) return text;
  if (groups.every((terms) => terms.length === 1)) {
    // Only a group whose one term names no prerelease reads differently; `, *` marks it.
    const plain = groups.findIndex((terms) => !namesPrerelease(terms[0]!));
    if (plain < 0) return text;
    groups[plain] = [...groups[plain]!, '*'];
  }
  return groups.map((terms) => terms.join(', ')).join(' || ');
}
