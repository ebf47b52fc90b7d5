/**
 * The single pass over all candidates: every tag is checked against the rules in RULE_ORDER
 * up to the scan gate, parsed once into a reused key, and the best eligible one is tracked
 * on the way. Nothing is sorted and nothing is allocated per release tag here; keys for
 * sorting are parsed again, on demand, by `keyOf`.
 */
import { isValidTag } from '../checks/grammar.js';
import type { ImageCandidate } from '../registry.js';
import type { CompiledPolicy } from './compile.js';
import { ELIGIBLE, codeOf } from './reasons.js';
import type { SelectionContext } from './types.js';

const COSIGN_ARTEFACT = /^sha256-[0-9a-f]{64}\.(?:sig|att|sbom)$/;

export function isCosignArtefact(tag: string): boolean {
  return (tag.length === 75 || tag.length === 76) && tag.startsWith('sha256-') && COSIGN_ARTEFACT.test(tag);
}

const INVALID_TAG = codeOf('invalid-tag');
const EXCLUDED_DEFAULT = codeOf('excluded-default');
const EXCLUDED = codeOf('excluded');
const PATTERN = codeOf('pattern');
const REVERTED = codeOf('reverted');
const TOO_YOUNG = codeOf('too-young');
/** Rules from here on reject tags that have a key. */
const FIRST_KEYED = codeOf('out-of-range');

export interface Evaluation {
  readonly candidates: readonly ImageCandidate[];
  /** Per candidate: ELIGIBLE or the code of the first rule that rejected it. */
  readonly codes: Uint8Array;
  /** Candidates per code (index = code). */
  readonly tally: Uint32Array;
  readonly eligible: number;
  /** Index of the best eligible candidate, -1 when none. */
  readonly best: number;
  /** Whether candidate i got an ordering key (eligible, or rejected after parsing). */
  readonly hasKey: (i: number) => boolean;
  /** The ordering key of candidate i (parsed on first use); undefined when it has none. */
  readonly keyOf: (i: number) => unknown;
  /** Negative when candidate i ranks before (above) j: key, then push time, then tag, then digest. */
  readonly rank: (i: number, j: number) => number;
  /** Eligible candidate indices, best first; sorted on first use and then kept. */
  readonly sortEligible: () => readonly number[];
}

/** The text the ordering reads: the tag, or what `extract` makes of it; undefined when `pattern` does not match. */
export function orderingText(compiled: CompiledPolicy, tag: string): string | undefined {
  const { pattern, extract } = compiled;
  if (!pattern) return tag;
  if (!extract) return pattern.test(tag) ? tag : undefined;
  const match = pattern.exec(tag);
  return match ? extract.expand(match) : undefined;
}

export function evaluate(
  compiled: CompiledPolicy,
  candidates: readonly ImageCandidate[],
  context: SelectionContext,
): Evaluation {
  const { ordering, excludes } = compiled;
  const count = candidates.length;
  const codes = new Uint8Array(count);
  const pushed = new Float64Array(count);
  const tally = new Uint32Array(32);
  const unparsed = codeOf(ordering.unparsed);
  const checkAge = compiled.minAgeMs > 0;
  const youngestAllowed = context.now.getTime() - compiled.minAgeMs;
  const revertedTags = context.revertedTags;
  const revertedDigests = context.revertedDigests;

  const tieBreak = (i: number, j: number): number => {
    if (pushed[i] !== pushed[j]) return pushed[i]! > pushed[j]! ? -1 : 1;
    const a = candidates[i]!;
    const b = candidates[j]!;
    if (a.tag !== b.tag) return a.tag > b.tag ? -1 : 1;
    if (a.digest !== b.digest) return a.digest > b.digest ? -1 : 1;
    return 0;
  };

  let spare = ordering.blank?.();
  let bestKey: unknown;
  let best = -1;
  let eligible = 0;
  for (let i = 0; i < count; i += 1) {
    const candidate = candidates[i]!;
    const tag = candidate.tag;
    // A pending candidate ranks as the newest until it is read (select.ts reads it then).
    pushed[i] = candidate.pending ? Number.MAX_VALUE : candidate.pushedAt.getTime() || 0;
    let code = ELIGIBLE;
    let key: unknown;
    // First of all: a tag outside the OCI grammar meets no regex, no parser and no commit.
    if (!isValidTag(tag)) code = INVALID_TAG;
    else if (isCosignArtefact(tag)) code = EXCLUDED_DEFAULT;
    else if (excludes.length > 0 && excludes.some((exclude) => exclude.regex.test(tag))) code = EXCLUDED;
    else {
      const text = orderingText(compiled, tag);
      if (text === undefined) code = PATTERN;
      else {
        key = ordering.parse(text, candidate, spare);
        if (key === undefined) code = unparsed;
        else {
          const refused = ordering.admit(key, candidate);
          if (refused !== undefined) code = codeOf(refused);
          else if (revertedTags?.has(tag) || (!candidate.pending && revertedDigests?.has(candidate.digest)))
            code = REVERTED;
          else if (checkAge && !candidate.pending && pushed[i]! > youngestAllowed) code = TOO_YOUNG;
        }
      }
    }
    codes[i] = code;
    tally[code]! += 1;
    if (code !== ELIGIBLE) continue;
    eligible += 1;
    if (best >= 0) {
      const byKey = ordering.compare(key, bestKey);
      if (byKey < 0 || (byKey === 0 && tieBreak(i, best) > 0)) continue;
    }
    best = i;
    // The parse target now holds the best key; parse the next tags into the old best's object.
    const previous = bestKey;
    bestKey = key;
    if (spare !== undefined) spare = previous ?? ordering.blank?.();
  }

  let keys: unknown[] | undefined;
  const hasKey = (i: number): boolean => codes[i] === ELIGIBLE || codes[i]! >= FIRST_KEYED;
  const keyOf = (i: number): unknown => {
    if (!hasKey(i)) return undefined;
    keys ??= new Array<unknown>(count);
    if (keys[i] === undefined) {
      const candidate = candidates[i]!;
      const text = orderingText(compiled, candidate.tag);
      keys[i] = text === undefined ? undefined : ordering.parse(text, candidate);
    }
    return keys[i];
  };
  const rank = (i: number, j: number): number => ordering.compare(keyOf(j), keyOf(i)) || tieBreak(i, j);

  let sorted: number[] | undefined;
  return {
    candidates,
    codes,
    tally,
    eligible,
    best,
    hasKey,
    keyOf,
    rank,
    sortEligible: () => {
      if (sorted) return sorted;
      const indices: number[] = [];
      for (let i = 0; i < count; i += 1) if (codes[i] === ELIGIBLE) indices.push(i);
      sorted = indices.sort(rank);
      return sorted;
    },
  };
}
