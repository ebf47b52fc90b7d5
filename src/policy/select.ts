/**
 * The policy engine's entry points: tags and facts in, a choice and its reasons out. Pure
 * apart from the optional scan lookup; deterministic whatever the order of the candidates.
 */
import type { Policy } from '../config/schema.js';
import type { ImageCandidate, PendingNeeds } from '../registry.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { buildDecision } from './decision.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { materializeRejections } from './rejections.js';
import { runScanGate } from './scan-gate.js';
import type { Decision, Rejection, ScanLookup, SelectionContext } from './types.js';

export interface SelectInput {
  readonly imageKey: string;
  readonly policy: Policy;
  /** The image's own `exclude` regexes from `images:`. */
  readonly imageExclude?: readonly string[];
  readonly candidates: readonly ImageCandidate[];
  readonly context: SelectionContext;
}

/**
 * Every candidate either ranked (eligible, best first, before the scan gate) or rejected by a
 * rule (best first, then key-less ones by rule order and tag). Sorts everything: for explain
 * output and tests. Throws ConfigError when the policy does not compile.
 */
export function rankCandidates(input: SelectInput): { ranked: ImageCandidate[]; rejected: Rejection[] } {
  const compiled = compilePolicy(input);
  const evaluation = evaluate(compiled, input.candidates, input.context);
  return {
    ranked: evaluation.sortEligible().map((i) => input.candidates[i]!),
    rejected: materializeRejections({ compiled, evaluation, context: input.context }),
  };
}

/** Best first, sorting only when the first one is not taken. */
function* bestFirst(evaluation: Evaluation): Generator<number> {
  if (evaluation.best < 0) return;
  yield evaluation.best;
  for (const index of evaluation.sortEligible()) if (index !== evaluation.best) yield index;
}

/**
 * Reads the images of pending candidates (tag lists without digests, SPEC §12): given the
 * pending candidates in the order they rank, the resolved ones by tag (undefined: the tag is
 * gone). Throws RegistryError.
 */
export type CandidateResolver = (
  pending: readonly ImageCandidate[],
  needs: PendingNeeds,
) => Promise<ReadonlyMap<string, ImageCandidate | undefined>>;

/** Pending candidates read per round: the first round reads the one that would be chosen. */
const FIRST_ROUND = 1;
const ROUND_GROWTH = 4;
const MAX_ROUND = 64;

/**
 * The pending candidates to read before the ranking can be trusted: those ranking above the
 * best resolved eligible candidate, best first, at most `limit`.
 */
function pendingAhead(evaluation: Evaluation, limit: number): number[] {
  const ahead: number[] = [];
  for (const index of bestFirst(evaluation)) {
    if (!evaluation.candidates[index]!.pending) break;
    ahead.push(index);
    if (ahead.length >= limit) break;
  }
  return ahead;
}

/**
 * Evaluates, reading pending candidates as the ranking needs them: a pending tag ranks as if it
 * were old enough and the newest, so it is read only when it would be chosen; once read it
 * takes its true place (too young, reverted by digest, older) and the next is read, in rounds
 * of 1, 4, 16, 64. A tag policy reads one image; `minAge` and `newest: pushed` read more.
 */
async function evaluateResolving(
  compiled: CompiledPolicy,
  input: SelectInput,
  resolver: CandidateResolver | undefined,
): Promise<{ candidates: readonly ImageCandidate[]; evaluation: Evaluation }> {
  let candidates = input.candidates;
  let evaluation = evaluate(compiled, candidates, input.context);
  if (!resolver) return { candidates, evaluation };
  const needs: PendingNeeds = { pushTime: compiled.minAgeMs > 0 || compiled.ordering.kind === 'newest' };
  let round = FIRST_ROUND;
  for (;;) {
    const ahead = pendingAhead(evaluation, round);
    if (ahead.length === 0) return { candidates, evaluation };
    const asked = new Set(ahead);
    const resolved = await resolver(
      ahead.map((index) => candidates[index]!),
      needs,
    );
    // Every asked candidate leaves the pending state: read, or dropped as gone.
    candidates = candidates.flatMap((candidate, index) => {
      if (!asked.has(index)) return [candidate];
      const image = resolved.get(candidate.tag);
      return image !== undefined && !image.pending ? [image] : [];
    });
    evaluation = evaluate(compiled, candidates, input.context);
    round = Math.min(MAX_ROUND, round * ROUND_GROWTH);
  }
}

/**
 * Picks the tag. Pending candidates are read through `resolve` as the ranking needs them (see
 * evaluateResolving). With `maxSeverity`, walks the ranking best first and asks `scanLookup`
 * (once per image digest) for candidates that came without scan facts, stopping at the first
 * that passes. Throws ConfigError when the policy does not compile, and RegistryError when
 * `resolve` does; a failing scan lookup never throws.
 */
export async function selectTag(
  input: SelectInput & { scanLookup?: ScanLookup; resolve?: CandidateResolver },
): Promise<Decision> {
  const compiled = compilePolicy(input);
  const { candidates, evaluation } = await evaluateResolving(compiled, input, input.resolve);
  const gate = await runScanGate({
    candidates,
    order: bestFirst(evaluation),
    policy: input.policy,
    scanLookup: input.scanLookup,
  });
  return buildDecision({ compiled, evaluation, context: input.context, gate });
}
