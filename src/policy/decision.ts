/**
 * A Decision whose `ranked` and `rejected` lists are built on first read and then kept: a
 * selection over 100,000 tags answers with its choice and summary without sorting them all
 * or writing 100,000 detail strings nobody may read. JSON.stringify and spreading read the
 * getters like plain fields.
 */
import type { ImageCandidate } from '../registry.js';
import type { CompiledPolicy } from './compile.js';
import type { Evaluation } from './evaluate.js';
import { materializeRejections } from './rejections.js';
import type { GateResult } from './scan-gate.js';
import { summarize } from './summary.js';
import type { Decision, Rejection, SelectionContext } from './types.js';

export function buildDecision(input: {
  readonly compiled: CompiledPolicy;
  readonly evaluation: Evaluation;
  readonly context: SelectionContext;
  readonly gate: GateResult;
}): Decision {
  const { compiled, evaluation, context, gate } = input;
  const chosen = gate.chosen >= 0 ? evaluation.candidates[gate.chosen] : undefined;
  let ranked: ImageCandidate[] | undefined;
  let rejected: Rejection[] | undefined;
  return {
    imageKey: compiled.imageKey,
    ...(chosen ? { chosen } : {}),
    summary: summarize(compiled, evaluation, gate.chosen, gate, context),
    get ranked(): readonly ImageCandidate[] {
      ranked ??= evaluation.sortEligible().map((i) => evaluation.candidates[i]!);
      return ranked;
    },
    get rejected(): readonly Rejection[] {
      rejected ??= materializeRejections({
        compiled,
        evaluation,
        context,
        selection: { chosen: gate.chosen, gate },
      });
      return rejected;
    },
  };
}
