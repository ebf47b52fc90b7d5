/**
 * Materializes the rejection list of a selection, best first: tags that got a key (a version,
 * a number, …) in rank order, then the key-less ones by rule order and tag. Runs only when
 * someone reads `Decision.rejected` or calls `rankCandidates`.
 */
import type { CompiledPolicy } from './compile.js';
import { ruleDetail } from './details.js';
import type { Evaluation } from './evaluate.js';
import { ELIGIBLE, reasonOf } from './reasons.js';
import type { GateResult } from './scan-gate.js';
import type { Rejection, SelectionContext } from './types.js';

export interface RejectionInput {
  readonly compiled: CompiledPolicy;
  readonly evaluation: Evaluation;
  readonly context: SelectionContext;
  /** The selection's outcome; absent for a ranking alone (then eligible tags are not rejections). */
  readonly selection?: { readonly chosen: number; readonly gate: GateResult };
}

/** Merges two lists already sorted by `rank` into one. */
function merge(a: readonly number[], b: readonly number[], rank: (i: number, j: number) => number): number[] {
  const out: number[] = [];
  let x = 0;
  let y = 0;
  while (x < a.length && y < b.length) out.push(rank(a[x]!, b[y]!) <= 0 ? a[x++]! : b[y++]!);
  while (x < a.length) out.push(a[x++]!);
  while (y < b.length) out.push(b[y++]!);
  return out;
}

export function materializeRejections(input: RejectionInput): Rejection[] {
  const { compiled, evaluation, context, selection } = input;
  const { candidates, codes, hasKey, keyOf, rank } = evaluation;
  const ordering = compiled.ordering;
  const keyedRejected: number[] = [];
  const keyless: number[] = [];
  for (let i = 0; i < candidates.length; i += 1) {
    if (codes[i] === ELIGIBLE) continue;
    if (hasKey(i)) keyedRejected.push(i);
    else keyless.push(i);
  }
  // The eligible ones are sorted once, for `ranked` too; merging them in costs no second sort.
  const keyed = merge(evaluation.sortEligible(), keyedRejected.sort(rank), rank);
  keyless.sort((i, j) => {
    if (codes[i] !== codes[j]) return codes[i]! - codes[j]!;
    const a = candidates[i]!;
    const b = candidates[j]!;
    if (a.tag !== b.tag) return a.tag < b.tag ? -1 : 1;
    return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
  });

  const rejections: Rejection[] = [];
  const chosen = selection?.chosen ?? -1;
  const outranked = chosen >= 0 ? `${candidates[chosen]!.tag} ranks higher` : 'a higher-ranked tag won';
  let leader = -1;
  let sameAsLeader = '';
  for (const i of keyed) {
    const { tag, digest } = candidates[i]!;
    const code = codes[i]!;
    if (code !== ELIGIBLE) {
      const reason = reasonOf(code);
      rejections.push({ tag, digest, reason, detail: ruleDetail(reason, candidates[i]!, compiled, context) });
      continue;
    }
    const duplicate = leader >= 0 && ordering.compare(keyOf(leader), keyOf(i)) === 0;
    if (!duplicate) {
      leader = i;
      sameAsLeader = '';
    }
    if (!selection || i === chosen) continue;
    const gated = selection.gate.rejected.get(i);
    if (gated) {
      rejections.push({ tag, digest, reason: gated.reason, detail: gated.detail });
    } else if (duplicate) {
      sameAsLeader ||= `same ${ordering.noun} as ${candidates[leader]!.tag}`;
      rejections.push({ tag, digest, reason: 'duplicate', detail: sameAsLeader });
    } else {
      rejections.push({ tag, digest, reason: 'outranked', detail: outranked });
    }
  }
  for (const i of keyless) {
    const { tag, digest } = candidates[i]!;
    const reason = reasonOf(codes[i]!);
    rejections.push({ tag, digest, reason, detail: ruleDetail(reason, candidates[i]!, compiled, context) });
  }
  return rejections;
}
