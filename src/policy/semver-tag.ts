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
    (code >= ZERO && code <= NINE) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === DASH
  );
}

/** A parse target that can be reused, so the single pass over 100,000 tags allocates nothing per release tag. */
export interface MutableSemverTag {
  major: number;
  minor: number;
  patch: number;
  pre: readonly (string | number)[];
}

export function blankSemverTag(): MutableSemverTag {
  return { major: 0, minor: 0, patch: 0, pre: NO_PRERELEASE };
}

/**
 * Parses `text`, into `into` when given (then returns it), else into a new object. Undefined
 * when the text is not strict semver.
 */
export function parseSemverTag(text: string, into?: MutableSemverTag): MutableSemverTag | undefined {
  const length = text.length;
  if (length === 0 || length > MAX_LENGTH) return undefined;
  let at = text.charCodeAt(0) === 118 ? 1 : 0; // 'v'
  let major = 0;
  let minor = 0;
  let patch = 0;
  for (let part = 0; part < 3; part += 1) {
    const start = at;
    let value = 0;
    let digit = 0;
    while (at < length && (digit = text.charCodeAt(at) - ZERO) >= 0 && digit <= 9) {
      value = value * 10 + digit;
      at += 1;
    }
    if (at === start || (at - start > 1 && text.charCodeAt(start) === ZERO)) return undefined;
    if (value > Number.MAX_SAFE_INTEGER) return undefined;
    if (part === 0) major = value;
    else if (part === 1) minor = value;
    else patch = value;
    if (part < 2) {
      if (text.charCodeAt(at) !== DOT) return undefined;
      at += 1;
    }
  }
  let pre = NO_PRERELEASE;
  if (at < length && text.charCodeAt(at) === DASH) {
    const identifiers: (string | number)[] = [];
    at += 1;
    for (;;) {
      const start = at;
      let numeric = true;
      while (at < length && isIdentifierChar(text.charCodeAt(at))) {
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
      if (at < length && text.charCodeAt(at) === DOT) {
        at += 1;
        continue;
      }
      break;
    }
    pre = identifiers;
  }
  if (at < length && text.charCodeAt(at) === PLUS) {
    at += 1;
    for (;;) {
      const start = at;
      while (at < length && isIdentifierChar(text.charCodeAt(at))) at += 1;
      if (at === start) return undefined;
      if (at < length && text.charCodeAt(at) === DOT) {
        at += 1;
        continue;
      }
      break;
    }
  }
  if (at !== length) return undefined;
  if (!into) return { major, minor, patch, pre };
  into.major = major;
  into.minor = minor;
  into.patch = patch;
  into.pre = pre;
  return into;
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
