/**
 * The policy engine's entry points: tags and facts in, a choice and its reasons out. Pure
 * apart from the optional scan lookup; deterministic whatever the order of the candidates.
 */
import type { Policy } from '../config/schema.js';
import type { ImageCandidate } from '../registry/source.js';
import { compilePolicy } from './compile.js';
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
 * Picks the tag. With `maxSeverity`, walks the ranking best first and asks `scanLookup` (once
 * per image digest) for candidates that came without scan facts, stopping at the first that
 * passes. Throws ConfigError when the policy does not compile; a failing lookup never throws.
 */
export async function selectTag(input: SelectInput & { scanLookup?: ScanLookup }): Promise<Decision> {
  const compiled = compilePolicy(input);
  const evaluation = evaluate(compiled, input.candidates, input.context);
  const gate = await runScanGate({
    candidates: input.candidates,
    order: bestFirst(evaluation),
    policy: input.policy,
    scanLookup: input.scanLookup,
  });
  return buildDecision({ compiled, evaluation, context: input.context, gate });
}
