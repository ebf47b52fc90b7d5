/** The one-line `Decision.summary`: "6.0.2: highest of 14 versions in ^6.0.0 (3 too young, 1 reverted)". */
import type { CompiledPolicy } from './compile.js';
import type { Evaluation } from './evaluate.js';
import { ELIGIBLE, LATE_RULES, REASON_LABELS, RULE_ORDER, codeOf } from './reasons.js';
import type { GateResult } from './scan-gate.js';
import { healthDetail } from './details.js';
import type { RejectReason, SelectionContext } from './types.js';

/** Late rules applied before the scan gate: their tags count as "in scope" ("of 14 versions"). */
const SCOPED_RULES: readonly RejectReason[] = [
  'unhealthy',
  'awaiting-health',
  'soaking',
  'reverted',
  'too-young',
];

function countsByReason(evaluation: Evaluation, gate: GateResult | undefined): Map<RejectReason, number> {
  const counts = new Map<RejectReason, number>();
  for (const reason of RULE_ORDER) {
    const count = evaluation.tally[codeOf(reason)] ?? 0;
    if (count > 0) counts.set(reason, count);
  }
  for (const outcome of gate?.rejected.values() ?? []) {
    counts.set(outcome.reason, (counts.get(outcome.reason) ?? 0) + 1);
  }
  return counts;
}

function label(reason: RejectReason, compiled: CompiledPolicy): string {
  if (reason === 'severity' && compiled.policy.maxSeverity) return `above ${compiled.policy.maxSeverity}`;
  if (reason === 'not-promoted' && compiled.policy.promote)
    return `never live in ${compiled.policy.promote.from}`;
  return REASON_LABELS[reason];
}

function listed(
  counts: Map<RejectReason, number>,
  reasons: readonly RejectReason[],
  compiled: CompiledPolicy,
) {
  return reasons
    .filter((reason) => counts.has(reason))
    .map((reason) => `${counts.get(reason)} ${label(reason, compiled)}`)
    .join(', ');
}

export function summarize(
  compiled: CompiledPolicy,
  evaluation: Evaluation,
  chosen: number,
  gate: GateResult | undefined,
  context?: SelectionContext,
): string {
  const total = evaluation.candidates.length;
  if (total === 0) return 'no tags in the repository';
  const counts = countsByReason(evaluation, gate);
  if (chosen < 0) {
    const why = listed(counts, RULE_ORDER, compiled);
    return `no eligible tag among ${total} ${total === 1 ? 'tag' : 'tags'}${why ? ` (${why})` : ''}`;
  }
  const inScope = SCOPED_RULES.reduce(
    (sum, reason) => sum + (counts.get(reason) ?? 0),
    evaluation.tally[ELIGIBLE] ?? 0,
  );
  const why = listed(counts, LATE_RULES, compiled);
  const candidate = evaluation.candidates[chosen]!;
  // With promote.healthy, what made the choice healthy: its context, commit and time.
  const healthy =
    context?.health?.get(candidate.tag)?.state === 'healthy'
      ? `; ${healthDetail(compiled, candidate, context)}`
      : '';
  return `${candidate.tag}: ${compiled.ordering.describe(inScope)}${why ? ` (${why})` : ''}${healthy}`;
}
