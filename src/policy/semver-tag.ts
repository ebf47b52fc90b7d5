/**
 * Strict semver for tags, as node-semver parses it without `loose`: `X.Y.Z[-pre][+build]`
 * with an optional leading `v`, no leading zeros in numeric parts, at most 256 characters.
 * Hand-rolled (no regex, no allocation for releases) because it runs once per tag on
 * repositories with up to 100,000 images.
 */
export interface SemverTag {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Prerelease identifiers, numeric ones as numbers; empty for a release. Build metadata is dropped. */
  readonly pre: readonly (string | number)[];
}

const MAX_LENGTH = 256;
const NO_PRERELEASE: readonly (string | number)[] = Object.freeze([]);
const DOT = 46;
const DASH = 45;
const PLUS = 43;
const ZERO = 48;
const NINE = 57;

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

function isIdentifierChar(code: number): boolean {
  return (
    (code >= ZERO && code <= NINE) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === DASH
  );
}

/** Returns the end of a numeric part starting at `start`, or -1 when there is none. */
function numericEnd(text: string, start: number): number {
  let end = start;
  while (end < text.length && isDigit(text.charCodeAt(end))) end += 1;
  if (end === start) return -1;
  if (end - start > 1 && text.charCodeAt(start) === ZERO) return -1;
  return end;
}

export function parseSemverTag(text: string): SemverTag | undefined {
  if (text.length === 0 || text.length > MAX_LENGTH) return undefined;
  let at = text.charCodeAt(0) === 118 ? 1 : 0; // 'v'
  const parts = [0, 0, 0];
  for (let part = 0; part < 3; part += 1) {
    const end = numericEnd(text, at);
    if (end < 0) return undefined;
    const value = Number(text.slice(at, end));
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
    parts[part] = value;
    at = end;
    if (part < 2) {
      if (text.charCodeAt(at) !== DOT) return undefined;
      at += 1;
    }
  }
  let pre = NO_PRERELEASE;
  if (at < text.length && text.charCodeAt(at) === DASH) {
    const identifiers: (string | number)[] = [];
    at += 1;
    for (;;) {
      const start = at;
      let numeric = true;
      while (at < text.length && isIdentifierChar(text.charCodeAt(at))) {
        if (!isDigit(text.charCodeAt(at))) numeric = false;
        at += 1;
      }
      if (at === start) return undefined;
      if (numeric) {
        if (at - start > 1 && text.charCodeAt(start) === ZERO) return undefined;
        identifiers.push(Number(text.slice(start, at)));
      } else {
        identifiers.push(text.slice(start, at));
      }
      if (at < text.length && text.charCodeAt(at) === DOT) {
        at += 1;
        continue;
      }
      break;
    }
    pre = identifiers;
  }
  if (at < text.length && text.charCodeAt(at) === PLUS) {
    at += 1;
    for (;;) {
      const start = at;
      while (at < text.length && isIdentifierChar(text.charCodeAt(at))) at += 1;
      if (at === start) return undefined;
      if (at < text.length && text.charCodeAt(at) === DOT) {
        at += 1;
        continue;
      }
      break;
    }
  }
  if (at !== text.length) return undefined;
  return { major: parts[0]!, minor: parts[1]!, patch: parts[2]!, pre };
}

function compareIdentifiers(a: string | number, b: string | number): number {
  if (typeof a === 'number') {
    if (typeof b !== 'number') return -1;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeof b === 'number') return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Semver precedence (build metadata ignored): negative when a < b, 0 when equal, positive when a > b. */
export function compareSemver(a: SemverTag, b: SemverTag): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  const ap = a.pre;
  const bp = b.pre;
  if (ap.length === 0 || bp.length === 0) return bp.length - ap.length;
  const shared = Math.min(ap.length, bp.length);
  for (let i = 0; i < shared; i += 1) {
    const byIdentifier = compareIdentifiers(ap[i]!, bp[i]!);
    if (byIdentifier !== 0) return byIdentifier;
  }
  return ap.length - bp.length;
}
