/**
 * `extract` templates, as Go's regexp.Expand reads them (Flux uses that): `$1`, `$name`,
 * `${name}`, `$$` for a literal dollar; other text is kept as written. A group that did not
 * take part in the match expands to ''.
 */
type Part = { readonly literal: string } | { readonly group: number | string };

export interface ExtractTemplate {
  readonly text: string;
  /** Groups the template names, to check them against the pattern. */
  readonly groups: readonly (number | string)[];
  expand(match: RegExpExecArray): string;
}

const REFERENCE = /\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;

function toGroup(name: string): number | string {
  return /^\d+$/.test(name) ? Number(name) : name;
}

export function parseExtract(text: string): ExtractTemplate {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(REFERENCE)) {
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    const name = match[1] ?? match[2];
    parts.push(name === undefined ? { literal: '$' } : { group: toGroup(name) });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  const groups = parts.flatMap((part) => ('group' in part ? [part.group] : []));

  const valueOf = (match: RegExpExecArray, group: number | string): string =>
    (typeof group === 'number' ? match[group] : match.groups?.[group]) ?? '';

  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && 'group' in only) {
    const group = only.group;
    return { text, groups, expand: (match) => valueOf(match, group) };
  }
  return {
    text,
    groups,
    expand(match) {
      let out = '';
      for (const part of parts) out += 'group' in part ? valueOf(match, part.group) : part.literal;
      return out;
    },
  };
}
