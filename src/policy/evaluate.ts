/**
 * The single pass over all candidates: every tag is checked against the rules in RULE_ORDER
 * up to the scan gate, parsed once, and the best eligible one is tracked on the way. Nothing
 * is sorted and no string is built here; `sortEligible` sorts on demand.
 */
import type { ImageCandidate } from '../registry/source.js';
import type { CompiledPolicy } from './compile.js';
import { ELIGIBLE, codeOf } from './reasons.js';
import type { SelectionContext } from './types.js';

const COSIGN_ARTEFACT = /^sha256-[0-9a-f]{64}\.(?:sig|att|sbom)$/;

export function isCosignArtefact(tag: string): boolean {
  return (tag.length === 75 || tag.length === 76) && tag.startsWith('sha256-') && COSIGN_ARTEFACT.test(tag);
}

const EXCLUDED_DEFAULT = codeOf('excluded-default');
const EXCLUDED = codeOf('excluded');
const PATTERN = codeOf('pattern');
const REVERTED = codeOf('reverted');
const TOO_YOUNG = codeOf('too-young');

export interface Evaluation {
  readonly candidates: readonly ImageCandidate[];
  /** Per candidate: ELIGIBLE or the code of the first rule that rejected it. */
  readonly codes: Uint8Array;
  /** Per candidate: the ordering key, when it has one (eligible or rejected after parsing). */
  readonly keys: readonly unknown[];
  /** Candidates per code (index = code). */
  readonly tally: Uint32Array;
  readonly eligible: number;
  /** Index of the best eligible candidate, -1 when none. */
  readonly best: number;
  /** Negative when candidate i ranks before (above) candidate j: key, then push time, then tag, then digest. */
  readonly rank: (i: number, j: number) => number;
  /** Eligible candidate indices, best first; sorted on first use and then kept. */
  readonly sortEligible: () => readonly number[];
}

export function evaluate(
  compiled: CompiledPolicy,
  candidates: readonly ImageCandidate[],
  context: SelectionContext,
): Evaluation {
  const { ordering, excludes, pattern, extract } = compiled;
  const count = candidates.length;
  const codes = new Uint8Array(count);
  const keys: unknown[] = new Array<unknown>(count);
  const pushed = new Float64Array(count);
  const tally = new Uint32Array(32);
  const checkAge = compiled.minAgeMs > 0;
  const youngestAllowed = context.now.getTime() - compiled.minAgeMs;
  const revertedTags = context.revertedTags;
  const revertedDigests = context.revertedDigests;

  const rank = (i: number, j: number): number => {
    const byKey = ordering.compare(keys[j], keys[i]);
    if (byKey !== 0) return byKey;
    if (pushed[i] !== pushed[j]) return pushed[i]! > pushed[j]! ? -1 : 1;
    const a = candidates[i]!;
    const b = candidates[j]!;
    if (a.tag !== b.tag) return a.tag > b.tag ? -1 : 1;
    if (a.digest !== b.digest) return a.digest > b.digest ? -1 : 1;
    return 0;
  };

  let best = -1;
  let eligible = 0;
  for (let i = 0; i < count; i += 1) {
    const candidate = candidates[i]!;
    const tag = candidate.tag;
    pushed[i] = candidate.pushedAt.getTime() || 0;
    let code = ELIGIBLE;
    if (isCosignArtefact(tag)) code = EXCLUDED_DEFAULT;
    else if (excludes.length > 0 && excludes.some((exclude) => exclude.regex.test(tag))) code = EXCLUDED;
    else {
      let text: string | undefined = tag;
      if (pattern) {
        if (extract) {
          const match = pattern.exec(tag);
          text = match ? extract.expand(match) : undefined;
        } else if (!pattern.test(tag)) text = undefined;
      }
      if (text === undefined) code = PATTERN;
      else {
        const key = ordering.parse(text, candidate);
        if (key === undefined) code = codeOf(ordering.unparsed);
        else {
          keys[i] = key;
          const refused = ordering.admit(key, candidate);
          if (refused !== undefined) code = codeOf(refused);
          else if (revertedTags?.has(tag) || revertedDigests?.has(candidate.digest)) code = REVERTED;
          else if (checkAge && pushed[i]! > youngestAllowed) code = TOO_YOUNG;
        }
      }
    }
    codes[i] = code;
    tally[code]! += 1;
    if (code !== ELIGIBLE) continue;
    eligible += 1;
    if (best < 0 || rank(i, best) < 0) best = i;
  }

  let sorted: number[] | undefined;
  return {
    candidates,
    codes,
    keys,
    tally,
    eligible,
    best,
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
