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

export function materializeRejections(input: RejectionInput): Rejection[] {
  const { compiled, evaluation, context, selection } = input;
  const { candidates, codes, hasKey, keyOf, rank } = evaluation;
  const ordering = compiled.ordering;
  const keyed: number[] = [];
  const keyless: number[] = [];
  for (let i = 0; i < candidates.length; i += 1) {
    if (hasKey(i)) keyed.push(i);
    else keyless.push(i);
  }
  keyed.sort(rank);
  keyless.sort((i, j) => {
    if (codes[i] !== codes[j]) return codes[i]! - codes[j]!;
    const a = candidates[i]!;
    const b = candidates[j]!;
    if (a.tag !== b.tag) return a.tag < b.tag ? -1 : 1;
    return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
  });

  const rejections: Rejection[] = [];
  const chosen = selection?.chosen ?? -1;
  const chosenTag = chosen >= 0 ? candidates[chosen]!.tag : undefined;
  let leader = -1;
  for (const i of keyed) {
    const candidate = candidates[i]!;
    const code = codes[i]!;
    const base = { tag: candidate.tag, digest: candidate.digest };
    if (code !== ELIGIBLE) {
      const reason = reasonOf(code);
      rejections.push({ ...base, reason, detail: ruleDetail(reason, candidate, compiled, context) });
      continue;
    }
    const duplicateOf = leader >= 0 && ordering.compare(keyOf(leader), keyOf(i)) === 0 ? leader : -1;
    if (duplicateOf < 0) leader = i;
    if (!selection || i === chosen) continue;
    const gated = selection.gate.rejected.get(i);
    if (gated) {
      rejections.push({ ...base, reason: gated.reason, detail: gated.detail });
    } else if (duplicateOf >= 0) {
      const same = `same ${ordering.noun} as ${candidates[duplicateOf]!.tag}`;
      rejections.push({ ...base, reason: 'duplicate', detail: same });
    } else {
      const detail = chosenTag === undefined ? 'a higher-ranked tag won' : `${chosenTag} ranks higher`;
      rejections.push({ ...base, reason: 'outranked', detail });
    }
  }
  for (const i of keyless) {
    const candidate = candidates[i]!;
    const reason = reasonOf(codes[i]!);
    rejections.push({
      tag: candidate.tag,
      digest: candidate.digest,
      reason,
      detail: ruleDetail(reason, candidate, compiled, context),
    });
  }
  return rejections;
}
