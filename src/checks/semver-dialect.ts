/**
 * Semver ranges in the dialect of Flux and Argo CD Image Updater (SPEC §13): both read
 * constraints with Masterminds/semver, where a comma means AND (`>=1.0, <2.0`), comparators
 * may stand apart from their versions (`>= 1.2`) and `!=` excludes one version. drawbridge
 * evaluates ranges with node-semver, so a range in that dialect is rewritten into node-semver's
 * own words with the same meaning: commas and spaces become the space that ANDs, an operator
 * is joined to its version, and `!=V` becomes `<V || >V` distributed over its AND group.
 * Everything both dialects spell alike (`^`, `~`, `1.x`, `*`, `v` prefixes, `a - b`, `||`)
 * passes through unchanged. A range node-semver already accepts is left exactly as written.
 */
import semver from 'semver';

/** `!=` terms multiply the OR groups; more than this is no policy anyone writes. */
const MAX_GROUPS = 64;
const MAX_LENGTH = 512;

export type DialectRange =
  { readonly range: string; readonly translated: boolean } | { readonly problem: string };

/** The node-semver range that means what `text` means in either dialect. */
export function nodeRange(text: string): DialectRange {
  if (text.length > MAX_LENGTH) return { problem: `${text.length} characters, at most ${MAX_LENGTH}` };
  if (semver.validRange(text) !== null && !text.includes(',')) return { range: text, translated: false };
  const groups: string[] = [];
  for (const alternative of text.split('||')) {
    const terms = tokens(alternative);
    if (terms === undefined)
      return { problem: `\`${alternative.trim()}\` has an operator without a version` };
    // Each `!=V` splits its group in two: below V, or above it.
    let expanded: string[][] = [[]];
    for (const term of terms) {
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
    groups.push(...expanded.map((group) => (group.length === 0 ? '*' : group.join(' '))));
    if (groups.length > MAX_GROUPS) return { problem: `more than ${MAX_GROUPS} alternatives` };
  }
  const range = groups.join(' || ');
  if (semver.validRange(range) === null)
    return { problem: 'not a range in node-semver or Masterminds syntax' };
  return { range, translated: range !== text };
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
